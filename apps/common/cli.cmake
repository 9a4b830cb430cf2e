# cli/args.hpp, the command-line reader of apps/ and bench/: included from both CMakeLists, since
# either may be built without the other.
if(NOT TARGET sio_cli)
    add_library(sio_cli INTERFACE)
    target_include_directories(sio_cli INTERFACE ${CMAKE_CURRENT_LIST_DIR})
    target_compile_features(sio_cli INTERFACE cxx_std_20)
endif()
