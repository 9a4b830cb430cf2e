// CPU and memory readings the load generators print next to their results, so a table can show
// whether the server or the generator was the bottleneck and how much memory the server held.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace bench {

/// This process's user + system CPU seconds, all threads.
inline double process_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto const sec = [](timeval t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return sec(ru.ru_utime) + sec(ru.ru_stime);
}

/// utime + stime of another process, all its threads, from /proc/<pid>/stat; -1 if unreadable.
inline double other_cpu_seconds(long pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (pid <= 0 || !std::getline(in, line))
        return -1;
    auto const rp = line.rfind(')');
    if (rp == std::string::npos)
        return -1;
    std::istringstream fields(line.substr(rp + 2));
    std::string field;
    double ticks = 0;
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after the command name.
    for (int i = 3; i <= 15 && fields >> field; ++i)
        if (i >= 14)
            ticks += std::strtod(field.c_str(), nullptr);
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// A "Vm...:" line of /proc/<pid>/status in kB (VmRSS, VmHWM); -1 if unreadable.
inline long process_status_kb(long pid, std::string const& key) {
    if (pid <= 0)
        return -1;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string name;
    long kb = 0;
    while (in >> name) {
        if (name == key + ":" && in >> kb)
            return kb;
        in.ignore(1 << 16, '\n');
    }
    return -1;
}

/// Whole-machine CPU from /proc/stat, in seconds summed over all CPUs. Softirq time is kept
/// apart: the kernel's loopback TCP work often runs there and is charged to no process.
struct machine_cpu {
    double busy = -1;
    double softirq = 0;
};

inline machine_cpu read_machine_cpu() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    double v[8] = {};
    if (!(in >> cpu) || cpu != "cpu")
        return {};
    for (double& x : v)
        in >> x;
    // user nice system idle iowait irq softirq steal
    double const tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    return {(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick, v[6] / tick};
}

/// Readings at the start of a measurement window; `finish` turns them into percentages of one
/// core over the window (200% = both cores of this machine busy).
class cpu_meter {
public:
    explicit cpu_meter(long server_pid)
        : server_pid_(server_pid)
        , self0_(process_cpu_seconds())
        , server0_(other_cpu_seconds(server_pid))
        , machine0_(read_machine_cpu()) {}

    struct usage {
        double client = 0;
        double server = -1; ///< -1: no --server-pid, or the process went away
        double machine = -1;
        double softirq = 0;
    };

    usage finish(double window_s) const {
        usage u;
        u.client = 100 * (process_cpu_seconds() - self0_) / window_s;
        double const server1 = other_cpu_seconds(server_pid_);
        if (server0_ >= 0 && server1 >= 0)
            u.server = 100 * (server1 - server0_) / window_s;
        machine_cpu const m1 = read_machine_cpu();
        if (machine0_.busy >= 0 && m1.busy >= 0) {
            u.machine = 100 * (m1.busy - machine0_.busy) / window_s;
            u.softirq = 100 * (m1.softirq - machine0_.softirq) / window_s;
        }
        return u;
    }

private:
    long server_pid_;
    double self0_;
    double server0_;
    machine_cpu machine0_;
};

} // namespace bench
