"""Interop: Debian's python3-socketio (python-socketio 5.x) against apps/chat's `chat_server`.

The behaviour under test is the `chat_server` contract (welcome, enviar-mensaje with acked ids,
user-connected / user-disconnected, join / leave / to-room, binary-echo, the "bad" token refused by
middleware, and the "/admin" namespace's get-stats), over HTTP long-polling only, WebSocket only and
the default polling -> WebSocket upgrade, plus a few checks of the raw polling wire.

Run with Debian's interpreter (the one that sees python3-socketio):
    SIO_CHAT_SERVER=build/apps/chat/chat_server /usr/bin/python3 -m unittest -v test_chat_server

The clients are `socketio.AsyncClient`: the synchronous `socketio.Client` of python-socketio 5.7
hands every Engine.IO message to a new thread, so events (and a binary packet's attachments) can
be handled out of order; the asyncio client dispatches them in arrival order.

Every test starts its own server with `--port 0`, reads `listening on 127.0.0.1:<port>` and stops
the process by PID in teardown; every wait has a timeout (WAIT seconds).
"""

import asyncio
import functools
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest
import urllib.request
import warnings

import aiohttp
import engineio.payload

import socketio

# A path, or a command line (e.g. "node ../socketio/node_twins/chat_server.mjs" for the reference).
SERVER = shlex.split(os.environ.get('SIO_CHAT_SERVER', '/work/main/build/apps/chat/chat_server'))
# ctest sets SIO_THREADS (2) so our server runs several shards whatever the core count; the Node
# twin has no such flag.
THREADS = (['--threads', os.environ['SIO_THREADS']]
           if os.environ.get('SIO_THREADS') and not any('node_twins' in w for w in SERVER) else [])
STARTUP_TIMEOUT = 10  # seconds to print the listening line
STOP_GRACE = 3        # seconds between SIGTERM and SIGKILL in teardown
WAIT = 5              # seconds for any single expected event, ack or connection
REFUSAL_WAIT = 2      # connect()'s wait_timeout when the server is expected to refuse

# python-engineio refuses a polling response of more than 16 packets ("Unexpected packet from
# server, aborting"), a guard meant for its server side; socket.io servers (Node's too) flush
# everything buffered in one response, so a client that receives bursts must accept more.
engineio.payload.Payload.max_decode_packets = 10_000

LISTENING_RE = re.compile(rb'listening on 127\.0\.0\.1:(\d+)')

# Payloads that enviar-mensaje must hand to the other sockets unchanged (any JSON value).
JSON_PAYLOADS = [
    {'text': 'hola', 'n': 1},
    ['a', 1, 2.5, True, False, None, {'x': []}],
    'plain string',
    'Unicode: ñandú — 日本語 — Ελληνικά — \u2028\u2029',
    'outside the BMP (surrogate pairs in JSON): 😀🎉 𝄞',
    'escapes: "quoted" \\ back\\slash \t tab \n newline \r \b \f / \u0001 \u001f \u007f',
    'nul: a\u0000b',
    '',
    0,
    42,
    -7,
    9007199254740991,  # 2**53 - 1, the largest integer a JS number holds exactly
    0.1,
    3.141592653589793,
    1e-07,
    1e+300,
    True,
    False,
    None,
    {},
    [],
    {'clé': 'valeur', '😀': [1, {'deep': {'deeper': [[[{'deepest': 'ok'}]]]}}]},
    {'long': 'x' * 50000},
]


def canon(value):
    """Strict JSON comparison: types (True vs 1, 1 vs 1.0) and key order must match."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


class ChatServer:
    """A chat_server process on a free port; stopped by PID."""

    def __init__(self):
        if not SERVER or shutil.which(SERVER[0]) is None:
            raise RuntimeError(f'chat_server not found or not executable: {SERVER} '
                               '(set SIO_CHAT_SERVER or build the chat_server target)')
        self.output = bytearray()  # what the server printed on stdout (the last 64 KiB)
        self._drain = None
        self.proc = subprocess.Popen(SERVER + ['--port', '0'] + THREADS, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE)
        try:
            self.port = self._read_port()
        except BaseException:
            self.stop()
            raise
        self.url = f'http://127.0.0.1:{self.port}'
        # Keep draining stdout so the server never blocks on a full pipe.
        self._drain = threading.Thread(target=self._drain_stdout, daemon=True)
        self._drain.start()

    def _read_port(self):
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            for line in bytes(self.output).splitlines():
                m = LISTENING_RE.fullmatch(line.strip())
                if m:
                    return int(m.group(1))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f'no "listening on" line from chat_server within '
                                   f'{STARTUP_TIMEOUT}s; stdout: {bytes(self.output)!r}')
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise RuntimeError(f'chat_server exited (rc={self.proc.wait()}) before '
                                       f'listening; stdout: {bytes(self.output)!r}')
                self.output += chunk

    def _drain_stdout(self):
        fd = self.proc.stdout.fileno()
        try:
            while True:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return
                self.output += chunk
                del self.output[:-65536]
        except OSError:
            return

    def stop(self):
        """SIGTERM, wait STOP_GRACE seconds, then SIGKILL. Returns True if SIGTERM sufficed."""
        graceful = True
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(STOP_GRACE)
            except subprocess.TimeoutExpired:
                graceful = False
                self.proc.kill()
                self.proc.wait()
        if self._drain is not None:
            self._drain.join(STOP_GRACE)
        self.proc.stdout.close()
        return graceful


class Peer:
    """One socketio.AsyncClient plus a log of everything it received, per namespace."""

    def __init__(self, url, *, transports=None, namespaces=('/',), auth=None):
        self.url = url
        self.transports = transports
        self.namespaces = list(namespaces)
        self.auth = auth
        self.sio = socketio.AsyncClient(reconnection=False)
        self.log = []  # (namespace, event, args)
        self._changed = asyncio.Event()
        for ns in self.namespaces:
            self.sio.on('*', functools.partial(self._on_any, ns), namespace=ns)
            for reserved in ('connect', 'connect_error', 'disconnect'):
                self.sio.on(reserved, functools.partial(self._record, ns, reserved),
                            namespace=ns)

    def _on_any(self, ns, event, *args):
        self._record(ns, event, *args)

    def _record(self, ns, event, *args):
        self.log.append((ns, event, args))
        self._changed.set()

    async def connect(self, wait_timeout=WAIT):
        await self.sio.connect(self.url, transports=self.transports,
                               namespaces=self.namespaces, auth=self.auth,
                               wait_timeout=wait_timeout)

    async def close(self):
        try:
            await asyncio.wait_for(self.sio.disconnect(), WAIT)
        except Exception:  # already gone, or the server is down: nothing to release
            pass
        # python-engineio 4.3 leaves its loops and aiohttp session behind when the server ended
        # the connection: end them here so nothing outlives the test's event loop.
        eio = self.sio.eio
        tasks = [t for t in (eio.read_loop_task, eio.write_loop_task) if t is not None]
        for t in tasks:
            t.cancel()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), WAIT)
        if eio.http is not None and not eio.http.closed:
            await eio.http.close()

    @property
    def sid(self):
        return self.sio.get_sid('/')

    def args(self, event, ns='/'):
        return [a for n, e, a in self.log if n == ns and e == event]

    def payloads(self, event, ns='/'):
        """First argument of each `event` received (None when it came without arguments)."""
        return [a[0] if a else None for a in self.args(event, ns)]

    def messages(self):
        """enviar-mensaje payloads received, without the test's barrier markers."""
        return [p for p in self.payloads('enviar-mensaje')
                if not (isinstance(p, dict) and 'barrier' in p)]

    async def wait_until(self, predicate, what, timeout=WAIT):
        async def poll():
            while not predicate():
                self._changed.clear()
                await self._changed.wait()
        try:
            await asyncio.wait_for(poll(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f'timed out after {timeout}s waiting for {what}; '
                                 f'received: {self.log!r}') from None

    async def wait_payload(self, event, payload, ns='/'):
        await self.wait_until(lambda: any(canon(p) == canon(payload)
                                          for p in self.payloads(event, ns)),
                              f'{event} {payload!r} on {ns}')

    async def wait_count(self, event, count, ns='/'):
        await self.wait_until(lambda: len(self.args(event, ns)) >= count,
                              f'{count} x {event} on {ns}')

    async def call(self, event, data=None, ns='/'):
        return await self.sio.call(event, data, namespace=ns, timeout=WAIT)


class ServerTestCase(unittest.IsolatedAsyncioTestCase):
    TRANSPORTS = None

    def setUp(self):
        self.server = ChatServer()
        self.addCleanup(self.server.stop)  # registered first: runs after the clients' cleanups
        self._barriers = 0

    async def peer(self, *, transports='default', namespaces=('/',), auth=None, connect=True):
        if transports == 'default':
            transports = self.TRANSPORTS
        p = Peer(self.server.url, transports=transports, namespaces=namespaces, auth=auth)
        self.addAsyncCleanup(p.close)
        if connect:
            await p.connect()
            if '/' in namespaces:
                await p.wait_count('welcome', 1)
        return p

    async def barrier(self, sender, *receivers):
        """The sender broadcasts a marker; once every receiver has it, everything the server
        emitted to them before handling the marker has been received too."""
        self._barriers += 1
        marker = {'barrier': self._barriers}
        self.assertIsInstance(await sender.call('enviar-mensaje', marker), int)
        for r in receivers:
            await r.wait_payload('enviar-mensaje', marker)


class ChatScenarios:
    """The contract's scenarios; mixed into one TestCase per transport setting."""

    TRANSPORTS = None           # passed to AsyncClient.connect(transports=...)
    EXPECTED_TRANSPORT = None   # AsyncClient.transport() once connected

    # --- connect -------------------------------------------------------------------------

    async def test_connect_gets_welcome_with_own_id(self):
        p = await self.peer()
        self.assertEqual(p.sio.transport(), self.EXPECTED_TRANSPORT)
        self.assertIsInstance(p.sid, str)
        self.assertTrue(p.sid)
        self.assertEqual(p.args('welcome'), [({'id': p.sid},)])

    async def test_connect_without_auth_or_with_other_tokens_is_accepted(self):
        for auth in (None, {}, {'token': 'good'}, {'token': 'BAD'}, {'token': 123},
                     {'other': 'bad'}):
            with self.subTest(auth=auth):
                p = await self.peer(auth=auth)
                self.assertEqual(p.payloads('welcome'), [{'id': p.sid}])
                await p.close()

    async def test_reconnect_is_a_new_socket_with_new_welcome(self):
        watcher = await self.peer()
        p = await self.peer()
        first = p.sid
        await watcher.wait_payload('user-connected', {'id': first})
        await p.close()
        await watcher.wait_payload('user-disconnected', {'id': first})
        await p.connect()
        await p.wait_count('welcome', 2)
        second = p.sid
        self.assertNotEqual(second, first)
        self.assertEqual(p.payloads('welcome'), [{'id': first}, {'id': second}])
        await watcher.wait_payload('user-connected', {'id': second})
        self.assertEqual(watcher.payloads('user-connected'), [{'id': first}, {'id': second}])
        self.assertEqual(watcher.payloads('user-disconnected'), [{'id': first}])

    # --- events with ack -----------------------------------------------------------------

    async def test_enviar_mensaje_acks_increasing_integer_ids(self):
        a = await self.peer()
        b = await self.peer()
        ids = []
        for i in range(6):
            sender = a if i % 2 == 0 else b
            ack = await sender.call('enviar-mensaje', {'n': i})
            self.assertIs(type(ack), int, f'ack {ack!r} is not an integer')
            ids.append(ack)
        self.assertEqual(ids, sorted(set(ids)), f'ids not unique and increasing: {ids}')

    async def test_event_without_ack_is_handled_the_same(self):
        a = await self.peer()
        b = await self.peer()
        await a.sio.emit('enviar-mensaje', {'no-ack': 1})
        await b.wait_payload('enviar-mensaje', {'no-ack': 1})
        first = await a.call('enviar-mensaje', {'with-ack': 2})
        await b.wait_payload('enviar-mensaje', {'with-ack': 2})
        self.assertIs(type(first), int)
        self.assertEqual(b.messages(), [{'no-ack': 1}, {'with-ack': 2}])

    async def test_unknown_event_is_ignored_without_ack(self):
        p = await self.peer()
        acked = []
        await p.sio.emit('no-such-event', {'x': 1}, callback=lambda *a: acked.append(a))
        # The server handles a connection's packets in order: once a later event is acked, an
        # ack for the unknown one would already have arrived.
        self.assertIs(type(await p.call('enviar-mensaje', 'still here')), int)
        self.assertEqual(acked, [])
        self.assertTrue(p.sio.connected)

    # --- broadcast -----------------------------------------------------------------------

    async def test_enviar_mensaje_reaches_every_other_socket_unchanged_not_the_sender(self):
        sender = await self.peer()
        others = [await self.peer(), await self.peer()]
        for payload in JSON_PAYLOADS:
            # A tuple is the argument list: (None,) sends one null argument.
            self.assertIs(type(await sender.call('enviar-mensaje', (payload,))), int)
        for other in others:
            await other.wait_until(lambda o=other: len(o.messages()) >= len(JSON_PAYLOADS),
                                   f'{len(JSON_PAYLOADS)} enviar-mensaje')
        await self.barrier(others[0], sender, others[1])
        for other in others:
            got = other.messages()
            self.assertEqual(len(got), len(JSON_PAYLOADS), 'each payload exactly once')
            for sent, received in zip(JSON_PAYLOADS, got):
                self.assertEqual(canon(received), canon(sent))
        self.assertEqual(sender.messages(), [], 'the sender must not get its own message')

    async def test_concurrent_senders_each_message_once_in_order_with_unique_ids(self):
        peers = [await self.peer() for _ in range(3)]
        per_sender = 30

        async def send_all(index, sender):
            # Without waiting for each ack: the packets queue up (and over polling, batch up).
            calls = [asyncio.ensure_future(sender.call('enviar-mensaje', {'from': index, 'n': n}))
                     for n in range(per_sender)]
            return await asyncio.gather(*calls)

        acks = await asyncio.gather(*(send_all(i, p) for i, p in enumerate(peers)))
        all_ids = [i for ids in acks for i in ids]
        self.assertTrue(all(type(i) is int for i in all_ids), all_ids)
        self.assertEqual(len(set(all_ids)), len(all_ids), f'ids not unique: {sorted(all_ids)}')
        for ids in acks:
            self.assertEqual(ids, sorted(ids), 'one sender\'s messages are handled in order')
        for i, p in enumerate(peers):
            expected = (len(peers) - 1) * per_sender
            await p.wait_until(lambda p=p, e=expected: len(p.messages()) >= e,
                               f'{expected} messages')
        for i, p in enumerate(peers):
            await self.barrier(peers[(i + 1) % len(peers)], p)
            got = p.messages()
            self.assertEqual(len(got), (len(peers) - 1) * per_sender, 'each message exactly once')
            for j in range(len(peers)):
                from_j = [m['n'] for m in got if m['from'] == j]
                self.assertEqual(from_j, [] if j == i else list(range(per_sender)))

    async def test_connection_churn_pairs_every_user_connected_with_user_disconnected(self):
        watcher = await self.peer()
        sids = []
        for _ in range(8):
            p = await self.peer()
            sids.append(p.sid)
            await p.close()
        self.assertEqual(len(set(sids)), len(sids), 'every connection is a new socket id')
        await watcher.wait_until(lambda: len(watcher.args('user-disconnected')) >= len(sids),
                                 'all user-disconnected')
        await self.barrier(watcher)  # a round trip: any stray announcement has arrived by now
        self.assertEqual(watcher.payloads('user-connected'), [{'id': s} for s in sids])
        self.assertEqual(watcher.payloads('user-disconnected'), [{'id': s} for s in sids])

    async def test_user_connected_and_user_disconnected_carry_the_right_ids(self):
        a = await self.peer()
        b = await self.peer()
        await a.wait_payload('user-connected', {'id': b.sid})
        await self.barrier(a, b)
        self.assertEqual(a.payloads('user-connected'), [{'id': b.sid}])
        self.assertEqual(b.payloads('user-connected'), [],
                         'a socket is not told about itself nor about earlier sockets')
        b_sid = b.sid
        await b.close()
        await a.wait_payload('user-disconnected', {'id': b_sid})
        c = await self.peer()
        await a.wait_payload('user-connected', {'id': c.sid})
        await self.barrier(c, a)
        self.assertEqual(a.payloads('user-disconnected'), [{'id': b_sid}])
        self.assertEqual(c.payloads('user-disconnected'), [])

    # --- binary --------------------------------------------------------------------------

    async def test_binary_echo_returns_100kb_buffer_byte_for_byte(self):
        p = await self.peer()
        data = os.urandom(100 * 1024)
        echoed = await p.call('binary-echo', data)
        self.assertIsInstance(echoed, bytes)
        self.assertEqual(len(echoed), len(data))
        self.assertEqual(echoed, data)

    async def test_binary_echo_returns_nested_structure_with_buffers(self):
        p = await self.peer()
        data = {
            'name': 'file.bin',
            'parts': [b'\x00\x01\x02\xff', {'deep': os.urandom(3000), 'n': 3}, 'text'],
            'meta': {'ok': True, 'none': None, 'list': [1, 2.5, 'tres']},
            'last': os.urandom(17),
        }
        self.assertEqual(await p.call('binary-echo', data), data)
        # Twice in a row: the attachment bookkeeping starts afresh for every packet.
        again = [os.urandom(10), {'x': os.urandom(20)}]
        self.assertEqual(await p.call('binary-echo', (again,)), again)

    async def test_binary_echo_returns_json_without_buffers(self):
        p = await self.peer()
        for payload in ({'a': [1, 'b', None]}, 'text', 12, ['x']):
            with self.subTest(payload=payload):
                echoed = await p.call('binary-echo', (payload,))
                self.assertEqual(canon(echoed), canon(payload))

    async def test_binary_echo_returns_empty_buffer(self):
        p = await self.peer()
        self.assertEqual(await p.call('binary-echo', {'empty': b'', 'one': b'1'}),
                         {'empty': b'', 'one': b'1'})

    async def test_enviar_mensaje_forwards_binary_payload(self):
        a = await self.peer()
        b = await self.peer()
        payload = {'file': os.urandom(5000), 'parts': [b'\x00', 'text', {'n': b'\xff' * 3}]}
        self.assertIs(type(await a.call('enviar-mensaje', payload)), int)
        await b.wait_until(lambda: b.messages() == [payload], 'the binary enviar-mensaje')

    async def test_message_over_max_http_buffer_size_disconnects_only_the_sender(self):
        watcher = await self.peer()
        big = await self.peer()
        big_sid = big.sid
        await watcher.wait_payload('user-connected', {'id': big_sid})
        # The server cuts the upload short (413 and a closed connection): aiohttp reports the
        # broken pipe of a future nobody awaits, and warns about the large bytes body.
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda loop, ctx: None if isinstance(
            ctx.get('exception'), aiohttp.ClientError) else loop.default_exception_handler(ctx))
        self.addCleanup(loop.set_exception_handler, None)
        caught = warnings.catch_warnings()
        caught.__enter__()
        self.addCleanup(caught.__exit__, None, None, None)
        warnings.filterwarnings('ignore', 'Sending a large body', ResourceWarning)
        await big.sio.emit('binary-echo', os.urandom(1_200_000), callback=lambda *a: None)
        await watcher.wait_payload('user-disconnected', {'id': big_sid})
        # Everyone else is still served.
        other = await self.peer()
        await watcher.wait_payload('user-connected', {'id': other.sid})
        self.assertIs(type(await watcher.call('enviar-mensaje', 'after')), int)
        await other.wait_payload('enviar-mensaje', 'after')

    # --- auth ----------------------------------------------------------------------------

    async def test_bad_token_is_refused_with_unauthorized_and_no_welcome(self):
        watcher = await self.peer()
        bad = await self.peer(auth={'token': 'bad'}, connect=False)
        with self.assertRaises(socketio.exceptions.ConnectionError) as refused:
            await bad.connect(wait_timeout=REFUSAL_WAIT)
        errors = bad.payloads('connect_error')
        # python-socketio 5.7 raises 'One or more namespaces failed to connect' and hands the
        # server's CONNECT_ERROR data ({"message": "unauthorized"}) to the connect_error handler.
        self.assertIn('unauthorized', ' '.join([str(refused.exception)] + [str(e) for e in errors]))
        self.assertEqual(errors, [{'message': 'unauthorized'}])
        self.assertEqual(bad.args('welcome'), [])
        self.assertFalse(bad.sio.connected)
        # A refused connection is no connection: the others hear of the next one only.
        good = await self.peer(auth={'token': 'good'})
        await watcher.wait_payload('user-connected', {'id': good.sid})
        await self.barrier(good, watcher)
        self.assertEqual(watcher.payloads('user-connected'), [{'id': good.sid}])
        self.assertEqual(watcher.payloads('user-disconnected'), [])

    async def test_unknown_namespace_is_refused(self):
        # Not in the chat contract: what Node's socket.io answers for a namespace it does not have.
        p = await self.peer(namespaces=('/nope',), connect=False)
        with self.assertRaises(socketio.exceptions.ConnectionError):
            await p.connect(wait_timeout=REFUSAL_WAIT)
        self.assertEqual(p.payloads('connect_error', ns='/nope'),
                         [{'message': 'Invalid namespace'}])

    # --- /admin --------------------------------------------------------------------------

    async def test_admin_get_stats_counts_sockets_of_root_namespace_only(self):
        a = await self.peer(namespaces=('/', '/admin'))
        admin_sid = a.sio.get_sid('/admin')
        self.assertIsNotNone(admin_sid)
        self.assertNotEqual(admin_sid, a.sid)
        self.assertEqual(await a.call('get-stats', ns='/admin'), {'clients': 1})
        await a.wait_payload('stats', {'clients': 1}, ns='/admin')
        self.assertEqual(a.args('welcome', ns='/admin'), [], '"/admin" gets no welcome')
        self.assertEqual(a.args('welcome'), [({'id': a.sid},)])

        b = await self.peer()
        await a.wait_payload('user-connected', {'id': b.sid})
        self.assertEqual(await a.call('get-stats', ns='/admin'), {'clients': 2})

        admin_only = await self.peer(namespaces=('/admin',))
        self.assertEqual(await admin_only.call('get-stats', ns='/admin'), {'clients': 2})
        self.assertEqual(admin_only.payloads('stats', ns='/admin'), [{'clients': 2}])

        b_sid = b.sid
        await b.close()
        await a.wait_payload('user-disconnected', {'id': b_sid})
        self.assertEqual(await a.call('get-stats', ns='/admin'), {'clients': 1})
        self.assertEqual(a.payloads('stats', ns='/admin'),
                         [{'clients': 1}, {'clients': 2}, {'clients': 1}])
        # Neither "/admin" socket was announced on "/" (both connected before a's last call).
        self.assertEqual(a.payloads('user-connected'), [{'id': b_sid}])

    async def test_admin_ignores_the_auth_rule_of_root(self):
        watcher = await self.peer()
        admin = await self.peer(namespaces=('/admin',), auth={'token': 'bad'})
        self.assertEqual(await admin.call('get-stats', ns='/admin'), {'clients': 1})
        await self.barrier(watcher)  # a round trip on watcher's connection after admin's connect
        self.assertEqual(watcher.payloads('user-connected'), [])

    # --- rooms ---------------------------------------------------------------------------

    async def test_join_to_room_and_leave(self):
        a = await self.peer()
        b = await self.peer()
        c = await self.peer()
        self.assertIs(await a.call('join', 'r1'), True)
        self.assertIs(await a.call('join', 'r1'), True)  # joining twice: still one member
        self.assertIs(await b.call('join', 'r1'), True)
        self.assertIs(await c.call('join', 'r2'), True)
        self.assertIs(await c.call('leave', 'never-joined'), True)
        self.assertIs(await c.call('to-room', {'room': 'empty', 'payload': 'nobody'}), True)

        # A non-member sends to r1: both members get it.
        self.assertIs(await c.call('to-room', {'room': 'r1', 'payload': {'hello': 'r1'}}), True)
        await a.wait_payload('room-message', {'hello': 'r1'})
        await b.wait_payload('room-message', {'hello': 'r1'})

        # A member sends: the other members get it, the sender does not.
        self.assertIs(await a.call('to-room', {'room': 'r1', 'payload': 'from a'}), True)
        await b.wait_payload('room-message', 'from a')

        # r2 is c's room only.
        self.assertIs(await a.call('to-room', {'room': 'r2', 'payload': ['to', 'r2']}), True)
        await c.wait_payload('room-message', ['to', 'r2'])

        # b leaves r1; to-room without an ack is delivered the same.
        self.assertIs(await b.call('leave', 'r1'), True)
        await c.sio.emit('to-room', {'room': 'r1', 'payload': 'after leave'})
        await a.wait_payload('room-message', 'after leave')

        await self.barrier(c, a, b)
        self.assertEqual(a.payloads('room-message'), [{'hello': 'r1'}, 'after leave'])
        self.assertEqual(b.payloads('room-message'), [{'hello': 'r1'}, 'from a'])
        self.assertEqual(c.payloads('room-message'), [['to', 'r2']])

    async def test_to_room_carries_binary_payload(self):
        a = await self.peer()
        b = await self.peer()
        self.assertIs(await a.call('join', 'files'), True)
        payload = {'name': 'x.bin', 'data': os.urandom(2048)}
        self.assertIs(await b.call('to-room', {'room': 'files', 'payload': payload}), True)
        await a.wait_until(lambda: a.payloads('room-message') == [payload],
                           'room-message with the binary payload')

    # --- shutdown ------------------------------------------------------------------------

    async def test_sigterm_stops_the_server_promptly_with_clients_connected(self):
        await self.peer()
        await self.peer(namespaces=('/', '/admin'))
        self.server.proc.terminate()
        try:
            # In a thread: the clients keep running, as they would, while the server shuts down.
            rc = await asyncio.to_thread(self.server.proc.wait, STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.fail(f'chat_server still running {STOP_GRACE}s after SIGTERM')
        self.assertIn(rc, (0, -signal.SIGTERM, 128 + signal.SIGTERM))


class WebSocketScenarios:
    """What only a WebSocket connection can show within the time budget: a client that vanishes
    is noticed at once (over polling only after pingInterval + pingTimeout, 45 s), and a binary
    frame just under maxHttpBufferSize (over polling it travels base64-encoded, 4/3 larger)."""

    async def test_abrupt_client_death_broadcasts_user_disconnected(self):
        watcher = await self.peer()
        script = (
            'import asyncio, sys, socketio\n'
            'async def main():\n'
            '    sio = socketio.AsyncClient(reconnection=False)\n'
            '    t = None if sys.argv[2] == "default" else sys.argv[2].split(",")\n'
            '    await sio.connect(sys.argv[1], transports=t, wait_timeout=5)\n'
            '    print(sio.get_sid(), flush=True)\n'
            '    await asyncio.sleep(60)\n'
            'asyncio.run(main())\n')
        transports = ','.join(self.TRANSPORTS) if self.TRANSPORTS else 'default'
        child = subprocess.Popen([sys.executable, '-c', script, self.server.url, transports],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)

        def reap():
            if child.poll() is None:
                child.kill()
            child.wait()
            child.stdout.close()
        self.addCleanup(reap)

        def read_sid():
            ready, _, _ = select.select([child.stdout], [], [], 10)
            return child.stdout.readline().decode().strip() if ready else None
        sid = await asyncio.to_thread(read_sid)
        self.assertIsNotNone(sid, 'the child client did not connect within 10 s')
        self.assertTrue(sid, 'the child client exited before connecting')
        await watcher.wait_payload('user-connected', {'id': sid})
        child.send_signal(signal.SIGKILL)
        await watcher.wait_payload('user-disconnected', {'id': sid})

    async def test_binary_echo_just_under_max_http_buffer_size_over_websocket(self):
        p = await self.peer()
        data = os.urandom(990_000)  # one WebSocket frame below maxHttpBufferSize (1e6)
        self.assertEqual(await p.call('binary-echo', data), data)


class PollingTest(ChatScenarios, ServerTestCase):
    TRANSPORTS = ['polling']
    EXPECTED_TRANSPORT = 'polling'


class WebSocketTest(ChatScenarios, WebSocketScenarios, ServerTestCase):
    TRANSPORTS = ['websocket']
    EXPECTED_TRANSPORT = 'websocket'


class UpgradeTest(ChatScenarios, WebSocketScenarios, ServerTestCase):
    """python-socketio's default: polling handshake, then upgrade to WebSocket."""
    TRANSPORTS = None
    EXPECTED_TRANSPORT = 'websocket'


class MixedTransportsTest(ServerTestCase):
    async def test_polling_websocket_and_upgraded_clients_talk_to_each_other(self):
        peers = [await self.peer(transports=['polling']),
                 await self.peer(transports=['websocket']),
                 await self.peer(transports=None)]
        self.assertEqual([p.sio.transport() for p in peers],
                         ['polling', 'websocket', 'websocket'])
        for i, sender in enumerate(peers):
            self.assertIs(type(await sender.call('enviar-mensaje', {'from': i})), int)
        for i, p in enumerate(peers):
            expected = [{'from': j} for j in range(len(peers)) if j != i]
            await p.wait_until(lambda p=p: len(p.messages()) >= len(expected),
                               'messages from the other transports')
            self.assertEqual(p.messages(), expected)
        binary = {'blob': os.urandom(4096)}
        self.assertIs(await peers[0].call('join', 'mix'), True)
        self.assertIs(await peers[1].call('to-room', {'room': 'mix', 'payload': binary}), True)
        await peers[0].wait_until(lambda: peers[0].payloads('room-message') == [binary],
                                  'binary room-message over polling')

    async def test_clients_upgrading_during_broadcast_traffic_miss_and_repeat_nothing(self):
        sender = await self.peer(transports=['websocket'])
        total = 300
        joiners = []

        async def join():
            # Polling handshake, CONNECT over polling, then the upgrade, while messages flow.
            joiners.append(await self.peer(transports=None))

        joining = []
        for n in range(total):
            await sender.sio.emit('enviar-mensaje', {'n': n})
            if n % 60 == 10:
                joining.append(asyncio.ensure_future(join()))
            await asyncio.sleep(0.002)
        await asyncio.gather(*joining)
        self.assertIs(type(await sender.call('enviar-mensaje', {'n': total})), int)
        for j in joiners:
            self.assertEqual(j.sio.transport(), 'websocket')
            await j.wait_payload('enviar-mensaje', {'n': total})
            got = [m['n'] for m in j.messages()]
            # From its first message on, a joiner gets every later one, once, in order.
            self.assertEqual(got, list(range(got[0], total + 1)))


class RawPollingWireTest(unittest.TestCase):
    """The Engine.IO / Socket.IO packets on the wire, over plain HTTP long-polling."""

    def setUp(self):
        self.server = ChatServer()
        self.addCleanup(self.server.stop)

    def request(self, method, query, body=None, headers=None):
        url = f'{self.server.url}/socket.io/?EIO=4&transport=polling{query}'
        data = body.encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        if data is not None:
            req.add_header('Content-Type', 'text/plain;charset=UTF-8')
        with urllib.request.urlopen(req, timeout=WAIT) as res:
            return res.status, dict(res.headers), res.read().decode()

    def handshake(self, headers=None):
        status, res_headers, body = self.request('GET', '', headers=headers)
        self.assertEqual(status, 200)
        self.assertTrue(body.startswith('0'), body)
        return json.loads(body[1:]), res_headers

    def packets_until(self, sid, predicate):
        """GETs (each returning at once, since data is queued) until predicate(packets)."""
        packets = []
        for _ in range(4):
            _, _, body = self.request('GET', f'&sid={sid}')
            packets += body.split('\x1e')
            if predicate(packets):
                return packets
        self.fail(f'expected packets not received: {packets!r}')

    def test_handshake_has_default_options_and_allows_any_origin(self):
        open_packet, headers = self.handshake({'Origin': 'http://example.test'})
        self.assertEqual(open_packet['upgrades'], ['websocket'])
        self.assertEqual(open_packet['pingInterval'], 25000)
        self.assertEqual(open_packet['pingTimeout'], 20000)
        self.assertEqual(open_packet['maxPayload'], 1000000)
        self.assertIn(headers.get('Access-Control-Allow-Origin'), ('*', 'http://example.test'))

    def test_connect_then_welcome_with_the_socket_id(self):
        sid = self.handshake()[0]['sid']
        self.assertEqual(self.request('POST', f'&sid={sid}', '40')[2], 'ok')
        packets = self.packets_until(sid, lambda ps: any(p.startswith('42') for p in ps))
        self.assertTrue(packets[0].startswith('40{'), packets)
        socket_id = json.loads(packets[0][2:])['sid']
        self.assertEqual(packets[1], '42' + json.dumps(['welcome', {'id': socket_id}],
                                                       separators=(',', ':')))

    def test_bad_token_gets_connect_error_unauthorized(self):
        sid = self.handshake()[0]['sid']
        self.assertEqual(self.request('POST', f'&sid={sid}', '40{"token":"bad"}')[2], 'ok')
        packets = self.packets_until(sid, lambda ps: bool(ps))
        self.assertEqual(packets, ['44{"message":"unauthorized"}'])

    def test_admin_is_multiplexed_and_outlives_leaving_root(self):
        sid = self.handshake()[0]['sid']
        self.assertEqual(self.request('POST', f'&sid={sid}', '40\x1e40/admin,')[2], 'ok')
        packets = self.packets_until(
            sid, lambda ps: any(p.startswith('42["welcome"') for p in ps)
            and any(p.startswith('40/admin,{') for p in ps))
        admin_sid = json.loads(next(p for p in packets if p.startswith('40/admin,'))[9:])['sid']
        self.assertTrue(admin_sid)
        self.assertFalse(any(p.startswith('42/admin,') for p in packets),
                         f'"/admin" gets no welcome: {packets!r}')
        # Leave "/" only: the Engine.IO session and its "/admin" socket stay.
        self.assertEqual(self.request('POST', f'&sid={sid}', '41\x1e42/admin,7["get-stats"]')[2],
                         'ok')
        packets = self.packets_until(sid, lambda ps: any(p.startswith('43/admin,7') for p in ps))
        self.assertIn('42/admin,["stats",{"clients":0}]', packets)
        self.assertIn('43/admin,7[{"clients":0}]', packets)


if __name__ == '__main__':
    unittest.main()
