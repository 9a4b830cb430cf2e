// The command line of every program in apps/ and bench/, read one way (issue 10, §7): `--help`
// (or `-h`) prints the usage on stdout and exits 0; an unknown flag, a flag without its value or
// a value that does not parse prints what is wrong on stderr and exits 2, before the program
// opens a database or a port — so a mistyped flag never runs something else.
// Header-only and standard C++ only, so apps/ and bench/ share it without touching the library.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

namespace cli {

/// Walks argv once, front to back: `while (a.next()) { if (a.is("--port")) port = a.port(); ...
/// else a.unknown(); }`. Every method that finds a problem exits the process with status 2.
class args {
public:
    /// `usage` is the whole text --help prints, ending with a newline.
    args(int argc, char** argv, std::string_view program, std::string_view usage)
        : argc_{argc}
        , argv_{argv}
        , program_{program}
        , usage_{usage} {}

    /// Moves to the next argument; false when none is left. Answers --help and -h itself.
    bool next() {
        if (++i_ >= argc_)
            return false;
        current_ = argv_[i_];
        if (current_ == "--help" || current_ == "-h") {
            std::cout << usage_ << std::flush;
            std::exit(0);
        }
        return true;
    }

    /// The argument next() moved to.
    std::string_view current() const { return current_; }
    bool is(std::string_view flag) const { return current_ == flag; }
    /// Whether the current argument is an option rather than a positional argument.
    bool is_option() const { return current_.size() > 1 && current_[0] == '-'; }

    /// The value that follows the current flag. A following `--flag` is not taken as the value:
    /// `--db --port 1` is a missing value, not a database named "--port".
    std::string_view value() {
        if (i_ + 1 >= argc_ || std::string_view{argv_[i_ + 1]}.substr(0, 2) == "--")
            fail(std::string{current_} + " needs a value");
        return argv_[++i_];
    }

    /// The current flag's value as an integer in [min, max], written in decimal digits only.
    template <class T> T integer(T min = 0, T max = std::numeric_limits<T>::max()) {
        std::string const flag{current_};
        std::string_view const v = value();
        T n{};
        auto const [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || n < min || n > max)
            fail(
                "bad value for " + flag + ": '" + std::string{v} + "' (an integer from " +
                std::to_string(min) + " to " + std::to_string(max) + ")");
        return n;
    }

    /// A TCP port; 0 lets the kernel pick a free one.
    unsigned short port() { return integer<unsigned short>(0, 65535); }

    /// The current flag's value as a finite decimal number, at least `min`.
    double number(double min = 0) {
        std::string const flag{current_};
        std::string const v{value()};
        char* end = nullptr;
        double const d = std::strtod(v.c_str(), &end);
        if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(d) || d < min)
            fail(
                "bad value for " + flag + ": '" + v + "' (a number, at least " + format(min) + ")");
        return d;
    }

    /// Reports the current argument as one this program does not know.
    [[noreturn]] void unknown() const {
        fail((is_option() ? "unknown option " : "unexpected argument ") + std::string{current_});
    }

    /// Prints `program: why` and the usage's first line on stderr, and exits with status 2.
    [[noreturn]] void fail(std::string const& why) const {
        std::cerr << program_ << ": " << why << '\n'
                  << usage_.substr(0, usage_.find('\n') + 1) << "(" << program_
                  << " --help for every option)" << std::endl;
        std::exit(2);
    }

private:
    static std::string format(double d) {
        std::string s = std::to_string(d);
        s.erase(s.find_last_not_of('0') + 1);
        if (s.back() == '.')
            s.pop_back();
        return s;
    }

    int argc_;
    char** argv_;
    std::string_view program_;
    std::string_view usage_;
    int i_ = 0;
    std::string_view current_;
};

} // namespace cli
