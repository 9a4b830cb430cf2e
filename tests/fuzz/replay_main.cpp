// Stands in for libFuzzer where it is not available (g++): runs a fuzz target over every file of
// its corpus, then over deterministic pseudo-random mutations of them, so that ctest exercises the
// same invariants on every build. A failing input is reported by corpus file or mutation number,
// and `replay <file>` runs one input alone.
//
// Usage: replay <corpus dir or file>... [--mutations N] [--seed S]

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

constexpr std::size_t default_mutations = 5000;
constexpr std::size_t max_input_size = 4096;

// Bytes that mean something to the decoders under test: packet types, the payload separator,
// base64 padding, WebSocket header bits and lengths, UTF-8 lead and continuation bytes.
constexpr unsigned char interesting_bytes[] = {
    0x00, '0',  '4',  '6',  '7',  'b',  '=',  '+',  '/',  0x1e, 0x01, 0x02, 0x08,
    0x09, 0x0a, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x88, 0xc1, 0xc2, 0xe0, 0xed,
    0xf0, 0xf4, 0xf5, 0xbf, 0xa0, 0x8f, 0x90, 0x40, 0x20, 0x10, 0xff, 0xfe,
};

// What the crash handler prints; set before each run.
char current_label[512] = "";
std::uint8_t const* current_data = nullptr;
std::size_t current_size = 0;

void write_text(char const* s, std::size_t n) {
    (void)!write(STDERR_FILENO, s, n);
}

// Only async-signal-safe calls: the process is crashing.
void on_crash(int sig) {
    char const prefix[] = "\nfuzz replay: crashed on ";
    write_text(prefix, sizeof prefix - 1);
    write_text(current_label, std::strlen(current_label));
    char const input[] = "\ninput (hex):";
    write_text(input, sizeof input - 1);
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < current_size; ++i) {
        char const byte[3] = {' ', digits[current_data[i] >> 4], digits[current_data[i] & 15]};
        write_text(byte, 3);
    }
    write_text("\n", 1);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

class rng {
public:
    explicit rng(std::uint64_t seed)
        : state_(seed) {}
    std::uint64_t next() {
        // splitmix64: tiny, and the same sequence on every platform.
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

private:
    std::uint64_t state_;
};

struct seed_input {
    std::string name;
    std::string bytes;
};

std::string read_file(fs::path const& path) {
    std::ifstream in{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

void run(std::string_view bytes) {
    // A heap copy of the exact size, so a sanitizer catches reads past the end.
    std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
    current_data = copy.data();
    current_size = copy.size();
    LLVMFuzzerTestOneInput(copy.data(), copy.size());
    current_size = 0;
}

// Where to mutate: half the time within the first bytes, where headers and type digits sit.
std::size_t position(std::string const& s, rng& r) {
    return r.below(2) == 0 ? r.below(std::min<std::size_t>(s.size(), 16)) : r.below(s.size());
}

void mutate(std::string& s, std::vector<seed_input> const& seeds, rng& r) {
    switch (r.below(9)) {
    case 0: // flip one bit
        if (!s.empty())
            s[position(s, r)] ^= static_cast<char>(1u << r.below(8));
        break;
    case 1: // overwrite a byte with anything
        if (!s.empty())
            s[position(s, r)] = static_cast<char>(r.below(256));
        break;
    case 2: // overwrite a byte with a meaningful one
        if (!s.empty())
            s[position(s, r)] =
                static_cast<char>(interesting_bytes[r.below(std::size(interesting_bytes))]);
        break;
    case 3: // insert a meaningful byte
        s.insert(
            s.begin() + static_cast<std::ptrdiff_t>(r.below(s.size() + 1)),
            static_cast<char>(interesting_bytes[r.below(std::size(interesting_bytes))]));
        break;
    case 4: // erase a range
        if (!s.empty()) {
            auto const at = r.below(s.size());
            s.erase(at, 1 + r.below(std::min<std::size_t>(8, s.size() - at)));
        }
        break;
    case 5: // truncate
        s.resize(r.below(s.size() + 1));
        break;
    case 6: // duplicate a range in place
        if (!s.empty()) {
            auto const at = r.below(s.size());
            auto const len = 1 + r.below(s.size() - at);
            s.insert(at, s.substr(at, len));
        }
        break;
    case 7: { // splice another seed in
        auto const& other = seeds[r.below(seeds.size())].bytes;
        auto const from = r.below(other.size() + 1);
        s.insert(r.below(s.size() + 1), other.substr(from, r.below(other.size() - from + 1)));
        break;
    }
    default: // append another seed whole (several frames or packets in one read)
        s += seeds[r.below(seeds.size())].bytes;
        break;
    }
    if (s.size() > max_input_size)
        s.resize(max_input_size);
}

int usage(char const* argv0) {
    std::fprintf(stderr, "usage: %s <corpus dir or file>... [--mutations N] [--seed S]\n", argv0);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::size_t mutations = default_mutations;
    std::uint64_t seed = 0x5105eed;
    std::vector<fs::path> paths;
    for (int i = 1; i < argc; ++i) {
        std::string_view const arg = argv[i];
        if (arg == "--mutations" && i + 1 < argc)
            mutations = std::strtoull(argv[++i], nullptr, 10);
        else if (arg == "--seed" && i + 1 < argc)
            seed = std::strtoull(argv[++i], nullptr, 0);
        else if (arg.starts_with("--"))
            return usage(argv[0]);
        else
            paths.emplace_back(arg);
    }
    if (paths.empty())
        return usage(argv[0]);

    std::signal(SIGABRT, on_crash);
    std::signal(SIGSEGV, on_crash);
    std::signal(SIGBUS, on_crash);
    std::signal(SIGFPE, on_crash);
    std::signal(SIGILL, on_crash);

    std::vector<seed_input> seeds;
    for (auto const& path : paths) {
        if (fs::is_directory(path)) {
            std::vector<fs::path> files;
            for (auto const& entry : fs::directory_iterator{path})
                if (entry.is_regular_file())
                    files.push_back(entry.path());
            std::sort(files.begin(), files.end()); // directory order is not deterministic
            for (auto const& f : files)
                seeds.push_back({f.string(), read_file(f)});
        } else if (fs::is_regular_file(path)) {
            seeds.push_back({path.string(), read_file(path)});
        } else {
            std::fprintf(stderr, "fuzz replay: no such file or directory: %s\n", path.c_str());
            return 2;
        }
    }
    if (seeds.empty()) {
        std::fprintf(stderr, "fuzz replay: empty corpus\n");
        return 2;
    }

    std::snprintf(current_label, sizeof current_label, "the empty input");
    run({});
    for (auto const& s : seeds) {
        std::snprintf(current_label, sizeof current_label, "%s", s.name.c_str());
        run(s.bytes);
    }

    rng r{seed};
    for (std::size_t m = 0; m < mutations; ++m) {
        auto const& base = seeds[r.below(seeds.size())];
        std::string input = base.bytes;
        auto const rounds = 1 + r.below(4);
        for (std::size_t k = 0; k < rounds; ++k)
            mutate(input, seeds, r);
        std::snprintf(
            current_label,
            sizeof current_label,
            "mutation %zu of %s (rerun with --seed %llu --mutations %zu)",
            m,
            base.name.c_str(),
            static_cast<unsigned long long>(seed),
            m + 1);
        run(input);
    }
    std::printf(
        "fuzz replay: %zu corpus inputs, %zu mutations, all passed\n", seeds.size(), mutations);
    return 0;
}
