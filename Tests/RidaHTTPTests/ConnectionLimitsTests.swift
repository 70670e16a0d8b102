import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RidaTesting
import Testing

/// A raw TCP connection to 127.0.0.1, to send what no HTTP client would: nothing, half a head, half a body.
final class RawSocket {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0, "socket: \(errno)")
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0, "connect: \(errno)")
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// What arrives within `seconds`, until the peer closes; `closed` tells whether it did.
    func read(for seconds: Double) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&poller, 1, left) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<count]
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// One request on a fresh connection, closed after it; the answer's text and how long it took.
    static func request(port: Int, _ text: String, within seconds: Double = 5) throws -> (text: String, seconds: Double) {
        let start = Date()
        let socket = try RawSocket(port: port)
        socket.send(text)
        let answer = socket.read(for: seconds)
        return (answer.text, Date().timeIntervalSince(start))
    }
}

/// The built `rida serve` with small limits, attacked with idle and half-sent sockets past them.
@Suite(.tags(.slow), .serialized) struct ConnectionLimitsTests {
    static let health = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"

    func serve(_ settings: String) throws -> (ServedRida, TemporaryDatabase) {
        let database = try TemporaryDatabase()
        let config = database.folder.appendingPathComponent("rida.json")
        try Data(settings.utf8).write(to: config)
        let served = ServedRida(database: database)
        served.arguments = ["--config", config.path]
        return (served, database)
    }

    @Test func idleAndHalfSentSocketsPastTheLimitLeaveHealthAnswering() async throws {
        let (served, database) = try serve(#"{"http.maxConnections": 40, "live.maxStreams": 4, "http.timeouts.headSeconds": 2, "http.timeouts.bodySeconds": 2, "http.timeouts.idleSeconds": 3}"#)
        defer { database.remove() }
        let kiosk = try served.key(["--role", "submitter", "--centre", "C01", "--label", "Kiosk"])
        try served.start()
        defer { _ = served.stop() }
        // 60 sockets where 40 are allowed: every other one sends nothing, the rest half a request head.
        var sockets: [RawSocket] = []
        for i in 0..<60 {
            let socket = try RawSocket(port: served.port)
            if i.isMultiple(of: 2) { socket.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n") }
            sockets.append(socket)
        }
        try await Task.sleep(for: .milliseconds(300))
        // The connections idle longest made room: a new one is answered at once.
        let answer = try RawSocket.request(port: served.port, Self.health)
        #expect(answer.text.hasPrefix("HTTP/1.1 200"), "\(answer.text)")
        #expect(answer.seconds < 1)
        // A body that stalls: 100 bytes announced, 10 sent.
        let stalled = try RawSocket(port: served.port)
        stalled.send("POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer \(kiosk)\r\nContent-Length: 100\r\n\r\n{\"id\":\"s1\"")
        // Past the 2-second head and body timeouts, every one of them is closed by the server.
        let survivors = sockets.suffix(20)
        for socket in survivors { #expect(socket.read(for: 3).closed, "an idle or half-sent socket was held past the head timeout") }
        #expect(stalled.read(for: 3).closed, "a stalled body was held past the body timeout")
        #expect(try RawSocket.request(port: served.port, Self.health).text.hasPrefix("HTTP/1.1 200"))
        // A kept-alive connection is closed after 3 s without a request.
        let kept = try RawSocket(port: served.port)
        kept.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        let kept1 = kept.read(for: 1)
        #expect(kept1.text.hasPrefix("HTTP/1.1 200") && !kept1.closed)
        #expect(kept.read(for: 4).closed)
        _ = served.stop()
        // The stalled body was a client gone: a warning, never an error (swift-log writes the level between spaces).
        #expect(served.stderr.contains("the client closed the connection before its request's body arrived"))
        #expect(!served.stderr.contains(" error "), "\(served.stderr.suffix(2000))")
    }

    @Test func answers503WhenEveryConnectionIsBusyAndCapsStreams() async throws {
        let (served, database) = try serve(#"{"http.maxConnections": 4, "live.maxStreams": 3, "live.maxStreamsPerKey": 2}"#)
        defer { database.remove() }
        let first = try served.key(["--role", "quality", "--label", "Hall screen 1"])
        let second = try served.key(["--role", "quality", "--label", "Hall screen 2"])
        let kiosk = try served.key(["--role", "submitter", "--centre", "C01", "--label", "Kiosk"])
        try served.start()
        defer { _ = served.stop() }
        func stream(_ key: String) throws -> RawSocket {
            let socket = try RawSocket(port: served.port)
            socket.send("GET /v1/live/C01/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\n\r\n")
            return socket
        }
        let a = try stream(first), b = try stream(first)
        #expect(a.read(for: 1).text.contains("event: figures"))
        #expect(b.read(for: 1).text.contains("event: figures"))
        // A key's third stream: 429 (live.maxStreamsPerKey is 2).
        let c = try stream(first)
        #expect(c.read(for: 2).text.hasPrefix("HTTP/1.1 429"))
        let d = try stream(second)
        #expect(d.read(for: 1).text.contains("event: figures"))
        // Three streams hold three of four connections; a fourth stream is over live.maxStreams: 503.
        let e = try stream(second)
        #expect(e.read(for: 2).text.hasPrefix("HTTP/1.1 503"))
        // Four busy connections (an idle one is closed to make room, so make the fourth busy too): 503 too_many_connections.
        let busy = try RawSocket(port: served.port)
        busy.send("POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(kiosk)\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{")
        try await Task.sleep(for: .milliseconds(200))
        let refused = try RawSocket.request(port: served.port, Self.health)
        #expect(refused.text.hasPrefix("HTTP/1.1 503"), "\(refused.text)")
        #expect(refused.text.contains("too_many_connections"))
        // The revoked key's streams end within about a second; the other key's stream stays.
        #expect(try runRida(["keys", "revoke", "1", "--db", database.path]).status == 0)
        // An ended stream sends its last chunk (a zero-length one) or closes.
        func ended(_ socket: RawSocket, within seconds: Double) -> Bool {
            let read = socket.read(for: seconds)
            return read.closed || read.text.contains("\r\n0\r\n\r\n") || read.text.hasPrefix("0\r\n\r\n")
        }
        #expect(ended(a, within: 3) && ended(b, within: 1))
        #expect(!ended(d, within: 1))
        _ = busy
    }
}
