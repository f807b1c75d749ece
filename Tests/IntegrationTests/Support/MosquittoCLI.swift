import Foundation
import Wire

/// mosquitto's own command-line clients (`mosquitto_pub`, `mosquitto_sub`): a client that is not the
/// project's, with its defaults (MQTT 3.1.1, no Response Topic), as users run it.
enum MosquittoCLI {
    static func path(_ tool: String) throws -> String {
        for folder in ["/usr/bin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(tool)") {
            return "\(folder)/\(tool)"
        }
        throw TestFailure("\(tool) is not installed (apt-get install -y mosquitto-clients)")
    }

    /// Publishes one message at QoS 1 and waits until `mosquitto_pub` has finished.
    static func publish(
        port: Int, topic: String, _ payload: JSONValue, retain: Bool = false, credentials: (String, String)? = nil
    ) async throws {
        var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-q", "1", "-t", topic, "-m", String(decoding: payload.serialized(), as: UTF8.self)]
        if retain { arguments.append("-r") }
        if let (user, password) = credentials { arguments += ["-u", user, "-P", password] }
        let status = await try ChildProcess(path: path("mosquitto_pub"), arguments: arguments).exited()
        guard status == 0 else { throw TestFailure("mosquitto_pub exited with \(status)") }
    }

    /// A running `mosquitto_sub`, collecting what it receives.
    final class Subscriber: @unchecked Sendable {
        private let process: ChildProcess
        private let output: String

        /// Subscribes at QoS 1 to `topic`; returns once the broker has acknowledged the subscription.
        init(port: Int, topic: String, clientID: String? = nil, credentials: (String, String)? = nil) async throws {
            output = FileManager.default.temporaryDirectory.appendingPathComponent("sub-\(UUID().uuidString).log").path
            var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-q", "1", "-t", topic, "-d", "-F", "MSG %t %p"]
            if let clientID { arguments += ["-i", clientID] }
            if let (user, password) = credentials { arguments += ["-u", user, "-P", password] }
            // Line-buffered: a file gets mosquitto_sub's output only when its stdio buffer fills otherwise.
            process = try ChildProcess(
                path: "/usr/bin/stdbuf", arguments: ["-oL", try MosquittoCLI.path("mosquitto_sub")] + arguments, logPath: output)
            try await waitUntil("SUBACK") { $0.contains { $0.contains("received SUBACK") } }
        }

        deinit {
            process.stop()
            try? FileManager.default.removeItem(atPath: output)
        }

        /// Every line mosquitto_sub printed (its debug lines included).
        var lines: [String] {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        /// The messages received so far: topic and JSON payload.
        var messages: [(topic: String, json: JSONValue)] {
            lines.compactMap { line in
                guard line.hasPrefix("MSG ") else { return nil }
                let rest = line.dropFirst(4)
                guard let space = rest.firstIndex(of: " ") else { return nil }
                let json = (try? JSONParser.parse(Array(rest[rest.index(after: space)...].utf8))) ?? .null
                return (String(rest[..<space]), json)
            }
        }

        /// The reply carrying `requestId`.
        func reply(to requestId: String, timeout: Double = 5) async throws -> JSONValue {
            try await waitUntil("reply to \(requestId)", timeout: timeout) { _ in
                self.messages.contains { $0.json["request_id"]?.stringValue == requestId }
            }
            return messages.first { $0.json["request_id"]?.stringValue == requestId }!.json
        }

        /// Whether mosquitto_sub has exited (the broker closed its connection for good).
        var hasExited: Bool { process.hasExited() }

        func waitUntil(_ what: String, timeout: Double = 5, _ condition: @escaping ([String]) -> Bool) async throws {
            let deadline = Date().addingTimeInterval(timeout)
            while !condition(lines) {
                if process.hasExited() && !condition(lines) {
                    throw TestFailure("mosquitto_sub exited before \(what): \(lines.suffix(5))")
                }
                guard Date() < deadline else { throw TestFailure("mosquitto_sub timed out waiting for \(what): \(lines.suffix(5))") }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }
}
