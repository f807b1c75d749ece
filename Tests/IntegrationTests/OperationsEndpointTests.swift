import Engine
import Foundation
import Logging
import Prometheus
import Testing
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// Issue 8: `/metrics` counts the traffic, `/healthz` follows the broker connection.
@Suite(.timeLimit(.minutes(2)))
struct OperationsEndpointTests {
    @Test func metricsCountRequestsDeliveriesAndDrops() async throws {
        try await withOperations { engine, http in
            let alice = try await engine.user("alice")
            let bob = try await engine.user("bob")
            let roomId = try await alice.createRoom("ops", joinedBy: [bob])
            for i in 0..<3 {
                #expect(try await alice.say(roomId, "hello \(i)").status == "message_sent")
            }
            #expect(try await alice.request("chat/nowhere").errorCode == "unknown_route")
            try alice.client.publish(topic: "chat/rooms/create", payload: Array("not json".utf8), qos: 1)

            let metrics = try await http.waitForMetrics("a dropped request") {
                $0.value(EngineMetrics.Name.dropped) >= 1
            }
            #expect(metrics.value(EngineMetrics.Name.requests, ["route": "chat/rooms/create", "outcome": "room_created"]) == 1)
            #expect(metrics.value(EngineMetrics.Name.requests, ["route": "chat/message/{room_id}", "outcome": "message_sent"]) == 3)
            #expect(metrics.value(EngineMetrics.Name.requests, ["route": "unmatched", "outcome": "unknown_route"]) == 1)
            #expect(metrics.value(EngineMetrics.Name.requestDuration + "_count", ["route": "chat/message/{room_id}"]) == 3)
            #expect(metrics.value(EngineMetrics.Name.requestDuration + "_bucket", ["route": "chat/message/{room_id}", "le": "+Inf"]) == 3)
            // Three messages to two members at least; joins and history add more.
            #expect(metrics.value(EngineMetrics.Name.deliveries, ["topic": "messages"]) >= 6)
            #expect(metrics.value(EngineMetrics.Name.dropped) == 1)
            #expect(metrics.value(EngineMetrics.Name.rooms) == 1)
            #expect(metrics.value(EngineMetrics.Name.brokerConnected, ["connection": "inbound"]) == 1)
            #expect(metrics.value(EngineMetrics.Name.brokerConnected, ["connection": "outbound"]) == 1)
            #expect(metrics.text.contains("# TYPE chat_requests_total counter"))

            let health = try await http.get("/healthz")
            #expect(health.status == 200)
            #expect(health.body == "ok\n")
            #expect(try await http.get("/nothing").status == 404)
        }
    }

    @Test func healthzFlipsWhenTheBrokerStopsAndRecoversWhenItReturns() async throws {
        var restarted: Broker?
        try await withOperations { engine, http in
            #expect(try await http.get("/healthz").status == 200)
            engine.broker?.stop()
            try await http.waitForHealth(503, timeout: 10)
            #expect(try await http.get("/healthz").body == "unavailable\n")

            restarted = try await Broker(port: engine.port)
            try await http.waitForHealth(200, timeout: 30)
            // The engine subscribed again by itself: a new user on the new broker gets replies.
            let carol = try await engine.user("carol")
            #expect(try await carol.request("chat/rooms/create", ["name": "after restart"], timeout: 10).status == "room_created")
            let metrics = try await http.waitForMetrics("a counted reconnect") {
                $0.value(EngineMetrics.Name.brokerReconnects, ["connection": "inbound"]) >= 1
            }
            #expect(metrics.value(EngineMetrics.Name.brokerReconnects, ["connection": "outbound"]) >= 1)
        }
        restarted?.stop()
    }
}

// MARK: - Support

/// Runs `body` with a broker, an engine (`configure` applied) whose metrics go to a private Prometheus
/// registry, and the operations HTTP server on a free port in front of them.
func withOperations(
    _ configure: (inout EngineConfiguration) -> Void = { _ in }, _ body: (EngineHarness, HTTPProbe) async throws -> Void
) async throws {
    let registry = PrometheusCollectorRegistry()
    let metrics = EngineMetrics(factory: PrometheusMetricsFactory.chatEngine(registry: registry))
    var logger = Logger(label: "operations-under-test")
    logger.logLevel = .warning
    try await EngineMetrics.$current.withValue(metrics) {
        try await withEngine(configure) { harness in
            let engine = harness.engine
            let sampler = EngineMetricsSampler(engine: engine, metrics: metrics, interval: .milliseconds(200))
            let probe = HTTPProbe(port: try Broker.freePort())
            let server = OperationsServer(
                port: probe.port, registry: registry, isHealthy: { engine.isHealthy },
                beforeScrape: { sampler.sample() }, logger: logger)
            try await whileServing([server, sampler], probe: probe, logger: logger) { try await body(harness, probe) }
        }
    }
}

/// A minimal HTTP/1.1 client over a blocking loopback socket: URLSession is not dependable on Linux
/// inside Swift concurrency, and one GET with `Connection: close` needs no more. The blocking calls run
/// on a Dispatch thread: blocking the few cooperative threads could starve the server being probed.
struct HTTPProbe: Sendable {
    let port: Int

    struct Reply {
        let status: Int
        let body: String
        /// The header lines, as sent (`Name: value`).
        var headers: [String] = []

        /// The value of header `name` (case-insensitive), if sent.
        func header(_ name: String) -> String? {
            let prefix = name.lowercased() + ":"
            return headers.first { $0.lowercased().hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces) }
        }
    }

    /// `GET path` with extra header lines (`Name: value`), reading until the server closes the connection.
    func get(_ path: String, headers: [String] = []) async throws -> Reply {
        try await offCooperativePool { try getBlocking(path, headers: headers) }
    }

    func getBlocking(_ path: String, headers: [String] = []) throws -> Reply {
        guard let fd = LoopbackSocket.connect(port: port) else { throw TestFailure("cannot connect to 127.0.0.1:\(port)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 15, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let extra = headers.map { $0 + "\r\n" }.joined()
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\(extra)\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw TestFailure("send failed")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 { response += buffer[0..<count] } else if count == 0 { break } else {
                throw TestFailure("recv failed: errno \(errno)")
            }
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestFailure("no HTTP header in '\(text)'") }
        let head = text[..<split.lowerBound]
        let statusLine = head.split(separator: "\r\n").first ?? ""
        guard let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw TestFailure("bad status line '\(statusLine)'")
        }
        var body = String(text[split.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") { body = Self.dechunk(body) }
        return Reply(status: status, body: body, headers: head.split(separator: "\r\n").dropFirst().map(String.init))
    }

    static func dechunk(_ text: String) -> String {
        var rest = Substring(text)
        var body = ""
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = rest.utf8.index(lineEnd.upperBound, offsetBy: 0)
            let end = rest.utf8.index(start, offsetBy: size)
            body += String(rest[start..<end])
            rest = rest[end...].dropFirst(2)
        }
        return body
    }

    func waitUntilListening() async throws {
        try await waitFor("the HTTP server on \(port)", timeout: 30) { (try? await get("/healthz")) != nil }
    }

    func waitForHealth(_ status: Int, timeout: Double) async throws {
        try await waitFor("/healthz \(status)", timeout: timeout) { (try? await get("/healthz"))?.status == status }
    }

    /// Scrapes `/metrics` until `condition` holds; returns that scrape.
    func waitForMetrics(_ what: String, timeout: Double = 10, _ condition: (PrometheusText) -> Bool) async throws -> PrometheusText {
        var last = PrometheusText(text: "")
        try await waitFor(what, timeout: timeout) {
            guard let reply = try? await get("/metrics"), reply.status == 200 else { return false }
            last = PrometheusText(text: reply.body)
            return condition(last)
        }
        return last
    }

    func waitFor(_ what: String, timeout: Double, _ condition: () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !(await condition()) {
            guard Date() < deadline else { throw TestFailure("timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Runs blocking work (sockets, waitpid) on a Dispatch thread, leaving Swift's few cooperative threads
/// free for the servers and engines under test.
func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// A scrape in Prometheus text format, read sample by sample.
struct PrometheusText {
    let text: String

    /// The sum of the samples named `name` whose labels include `labels`; 0 when there are none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        var total = 0.0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            let sampleName = series.prefix { $0 != "{" }
            guard sampleName == name else { continue }
            var sampleLabels: [String: String] = [:]
            if let open = series.firstIndex(of: "{"), let close = series.lastIndex(of: "}") {
                for pair in series[series.index(after: open)..<close].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2 else { continue }
                    sampleLabels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
                }
            }
            if labels.allSatisfy({ sampleLabels[$0.key] == $0.value }) { total += value }
        }
        return total
    }
}
