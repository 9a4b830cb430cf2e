// Log-linear latency histogram shared by the load generators.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bench {

/// Latencies in nanoseconds, 128 buckets per power of two, so any percentile it reports is
/// within 0.8% of the true value. Adding is one increment: cheap enough for every message.
class histogram {
public:
    histogram()
        : counts_(bucket_count, 0) {}

    void add(std::uint64_t ns) noexcept {
        ++counts_[index(ns)];
        ++total_;
        max_ = std::max(max_, ns);
    }

    void merge(histogram const& other) {
        for (std::size_t i = 0; i < bucket_count; ++i)
            counts_[i] += other.counts_[i];
        total_ += other.total_;
        max_ = std::max(max_, other.max_);
    }

    std::uint64_t total() const noexcept { return total_; }
    std::uint64_t max() const noexcept { return max_; }

    double percentile_ns(double q) const {
        if (total_ == 0)
            return 0;
        auto const rank = std::max<std::uint64_t>(
            1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total_))));
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            seen += counts_[i];
            if (seen >= rank)
                return std::min(value(i), static_cast<double>(max_));
        }
        return static_cast<double>(max_);
    }

    double percentile_us(double q) const { return percentile_ns(q) / 1e3; }

private:
    static constexpr unsigned sub_bits = 7;
    static constexpr std::size_t bucket_count = (64 - sub_bits + 1) << sub_bits;

    static std::size_t index(std::uint64_t v) noexcept {
        if (v < (2u << sub_bits))
            return static_cast<std::size_t>(v);
        unsigned const shift = 63 - static_cast<unsigned>(std::countl_zero(v)) - sub_bits;
        return (static_cast<std::size_t>(shift) << sub_bits) + static_cast<std::size_t>(v >> shift);
    }

    static double value(std::size_t i) noexcept {
        if (i < (2u << sub_bits))
            return static_cast<double>(i);
        std::size_t const shift = (i >> sub_bits) - 1;
        std::size_t const sub = i - (shift << sub_bits);
        // Middle of the bucket.
        return static_cast<double>(sub << shift) + static_cast<double>(1ull << shift) / 2;
    }

    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
    std::uint64_t max_ = 0;
};

} // namespace bench
