import Foundation
import Synchronization
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// `curl -N` on `/api/v1/events`, its output in a file read as it grows.
final class EventStreamReader: Sendable {
    let process: ChildProcess
    let output: String
    private let progress = Mutex(MarkerProgress())

    private struct MarkerProgress {
        var offset: UInt64 = 0
        var count = 0
        var carry: [UInt8] = []
    }

    init(port: Int, token: String, viaQuery: Bool = false) throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("sse-\(UUID().uuidString).txt").path
        let url = "http://127.0.0.1:\(port)/api/v1/events" + (viaQuery ? "?access_token=\(token)" : "")
        let header = viaQuery ? [] : ["-H", "Authorization: Bearer \(token)"]
        process = try ChildProcess(path: "/usr/bin/curl", arguments: ["-sN"] + header + [url], logPath: output)
    }

    func stop() {
        _ = process.stop(signal: SIGKILL)
        try? FileManager.default.removeItem(atPath: output)
    }

    /// Everything received so far.
    var text: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    /// How many times `marker` (always the same one) occurs in what was received. Only what arrived
    /// since the last call is read: rereading megabytes of a flood every poll would starve the engine under test.
    func count(of marker: String) -> Int {
        progress.withLock { progress in
            guard let file = FileHandle(forReadingAtPath: output) else { return progress.count }
            defer { try? file.close() }
            try? file.seek(toOffset: progress.offset)
            let fresh = (try? file.readToEnd()) ?? Data()
            progress.offset += UInt64(fresh.count)
            let window = progress.carry + Array(fresh)
            let needle = Array(marker.utf8)
            var index = 0
            while index + needle.count <= window.count {
                if window[index..<index + needle.count].elementsEqual(needle) {
                    progress.count += 1
                    index += needle.count
                } else {
                    index += 1
                }
            }
            // A marker split across two reads is found on the next one.
            progress.carry = Array(window[min(index, window.count)...])
            return progress.count
        }
    }

    /// The `data:` of every complete event called `name`, in order.
    func events(named name: String) -> [JSONValue] {
        text.components(separatedBy: "\n\n").compactMap { block -> JSONValue? in
            let lines = block.split(separator: "\n")
            guard lines.count == 2, lines[0] == "event: \(name)", lines[1].hasPrefix("data: ") else { return nil }
            return try? JSONParser.parse(Array(lines[1].dropFirst("data: ".count).utf8))
        }
    }

    func waitUntil(timeout: Double = 10, _ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TestFailure("timed out waiting for \(what); got: \(text.suffix(400))") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
