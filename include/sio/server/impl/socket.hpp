#pragma once

// Template bodies of <sio/server/socket.hpp>.

#include <sio/core/guarded.hpp>
#include <sio/server/detail/completion.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <tuple>
#include <utility>

namespace sio {
namespace detail {

template <class F> struct callable_traits : callable_traits<decltype(&F::operator())> {};
template <class C, class R, class... A> struct callable_traits<R (C::*)(A...) const> {
    using args = std::tuple<A...>;
};
template <class C, class R, class... A> struct callable_traits<R (C::*)(A...)> {
    using args = std::tuple<A...>;
};
template <class R, class... A> struct callable_traits<R (*)(A...)> {
    using args = std::tuple<A...>;
};
template <class R, class... A> struct callable_traits<R(A...)> { using args = std::tuple<A...>; };

template <class Tuple> struct drop_first;
template <class First, class... Rest> struct drop_first<std::tuple<First, Rest...>> {
    using type = std::tuple<Rest...>;
};

template <class Tuple> struct ends_with_ack : std::false_type {};
template <class... A>
requires(sizeof...(A) > 0) struct ends_with_ack<std::tuple<A...>>
    : std::is_same<
          std::remove_cvref_t<std::tuple_element_t<sizeof...(A) - 1, std::tuple<A...>>>,
          ack> {
};

template <class Tuple, std::size_t... I>
auto take_front(std::index_sequence<I...>) -> std::tuple<std::tuple_element_t<I, Tuple>...>;

template <class T> std::remove_cvref_t<T> convert_arg(message const& m, std::size_t index) {
    using plain = std::remove_cvref_t<T>;
    if constexpr (std::is_same_v<plain, sio::binary>) {
        if (index < m.args().size())
            if (auto b = m.binary_of(m.args()[index]))
                return sio::binary{*b};
        throw std::invalid_argument("argument is not binary");
    } else if constexpr (std::is_same_v<plain, boost::json::value>) {
        return index < m.args().size() ? m.args()[index] : boost::json::value{};
    } else {
        if (index >= m.args().size())
            throw std::invalid_argument("missing argument");
        return boost::json::value_to<plain>(m.args()[index]);
    }
}

template <bool WithAck, class F, class Typed, std::size_t... I>
void call_typed(F& f, socket& s, message& m, ack& a, std::index_sequence<I...>) {
    if constexpr (WithAck)
        f(s, convert_arg<std::tuple_element_t<I, Typed>>(m, I)..., a);
    else
        f(s, convert_arg<std::tuple_element_t<I, Typed>>(m, I)...);
}

} // namespace detail

template <class F> event_handler socket::make_event_handler(F&& f) {
    using fn = std::decay_t<F>;
    if constexpr (std::is_invocable_v<fn&, socket&, message&, ack&>) {
        return [f = fn(std::forward<F>(f))](socket& s, message& m, ack& a) mutable { f(s, m, a); };
    } else if constexpr (std::is_invocable_v<fn&, socket&, message&>) {
        return [f = fn(std::forward<F>(f))](socket& s, message& m, ack&) mutable { f(s, m); };
    } else if constexpr (std::is_invocable_v<fn&, socket&>) {
        return [f = fn(std::forward<F>(f))](socket& s, message&, ack&) mutable { f(s); };
    } else {
        using all = typename detail::callable_traits<fn>::args;
        using after_socket = typename detail::drop_first<all>::type;
        constexpr bool with_ack = detail::ends_with_ack<after_socket>::value;
        constexpr std::size_t count = std::tuple_size_v<after_socket> - (with_ack ? 1 : 0);
        using typed = decltype(detail::take_front<after_socket>(std::make_index_sequence<count>{}));
        return [f = fn(std::forward<F>(f))](socket& s, message& m, ack& a) mutable {
            detail::call_typed<with_ack, fn, typed>(f, s, m, a, std::make_index_sequence<count>{});
        };
    }
}

template <class CompletionToken>
auto socket::initiate_ack(
    std::string_view event,
    message args,
    std::optional<std::chrono::milliseconds> timeout,
    CompletionToken& token) {
    return net::async_initiate<CompletionToken, void(boost::system::error_code, message)>(
        [weak = weak_from_this(),
         ex = get_executor(),
         shard = shard_,
         timeout,
         ev = std::string{event},
         a = std::move(args)](auto handler) mutable {
            // Constructed, not assigned: see start_ack.
            ack_handler bound{detail::bind_completion(std::move(handler), ex, [weak, shard] {
                auto s = weak.lock();
                return "emit_with_ack completion of socket " +
                       (s ? s->id() : std::string{"(closed)"}) + " on shard " +
                       std::to_string(shard);
            })};
            // Started on the socket's shard, its state's only thread: at once when already
            // there, the usual case.
            net::dispatch(
                ex,
                [weak = std::move(weak),
                 ex,
                 timeout,
                 ev = std::move(ev),
                 a = std::move(a),
                 h = std::move(bound)]() mutable {
                    if (auto s = weak.lock())
                        s->start_ack(std::move(ev), std::move(a), timeout, std::move(h));
                    else // posted: a completion never runs inside its initiation
                        net::post(ex, [h = std::move(h)]() mutable {
                            std::move(h)(make_error_code(error::socket_disconnected), message{});
                        });
                });
        },
        token);
}

// A throw from `f` is logged and contained: as an event handler's, it ends that call only.
template <class F> void socket_ref::dispatch(F&& f) const {
    if (!executor_)
        return;
    auto const run = [](socket& s, auto& fn) {
        sio::guarded([&] { fn(s); }, [&] { return socket_ref::describe(s); });
    };
    if (executor_->running_in_this_thread()) {
        if (auto s = socket_.lock())
            run(*s, f);
        return;
    }
    net::post(*executor_, [weak = socket_, f = std::forward<F>(f), run]() mutable {
        if (auto s = weak.lock())
            run(*s, f);
    });
}

template <class... Args> void socket_ref::emit(std::string_view event, Args&&... args) const {
    dispatch([m = message::of(std::string{event}, std::forward<Args>(args)...)](socket& s) mutable {
        s.emit_message(std::move(m));
    });
}

} // namespace sio
