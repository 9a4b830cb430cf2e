// The scenarios of sio-bench; each runs to completion and returns the exit status.
#pragma once

#include <sio_bench/options.hpp>

namespace sio_bench {

int run_echo(options const& o);
int run_fanout(options const& o);
int run_idle(options const& o);
int run_storm(options const& o);
int run_polling(options const& o);

} // namespace sio_bench
