import ArgumentParser
import Foundation

/// `chat-bench snapshot-bench`: restore time, memory per stored message, and message latency with and
/// without snapshots being written, for an engine started on a seeded data directory.
struct SnapshotBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot-bench",
        abstract: "Restore time, RSS per stored message and p99 latency while snapshots are written.",
        discussion: """
            Needs a data directory written by `chat-bench seed-snapshot` (it is copied, never modified) \
            and mosquitto on PATH. Starts its own broker on --mqtt-port, then the engine four times:
              1. on an empty data directory: baseline RSS;
              2. on a copy of the seed, snapshots off (interval 3600 s): time to `ready`, the engine's \
            "state restored" duration, RSS, then `chat-bench load` (a);
              3. on a fresh copy with --snapshot-interval 1 --snapshot-changes 1: the same load (b) while \
            snapshots of the whole state are written back to back.
            Bytes per message = (RSS seeded − RSS empty) / messages. Uses `chat-engine serve` when it has \
            --snapshot-interval, else `chat-bench serve-engine` (same ChatEngine library) for every run.
            """
    )

    @Option(help: "Seeded data directory (from seed-snapshot).")
    var seedDir: String

    @Option(help: "Messages in the seed (for bytes per message).")
    var seedMessages = 1_000_000

    @Option(help: "Port of the private broker this command starts.")
    var mqttPort = 18_870

    @Option(help: "The chat-engine executable (default: next to chat-bench).")
    var engine: String?

    @Option(help: "Load: messages per second.")
    var rate = 240

    @Option(help: "Load: measured seconds per run.")
    var duration = 15

    @Option(help: "Scratch directory (default: a new one under /tmp).")
    var workDir: String?

    struct Phase {
        var name: String
        var readyMs: Double = 0
        var restoredMs: Double = 0
        var rssKB: Int = 0
        var load: [String: Any] = [:]
        var snapshots: [String] = []
    }

    func run() async throws {
        let bench = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let binDir = (bench as NSString).deletingLastPathComponent
        let engineBin = engine ?? binDir + "/chat-engine"
        let work = workDir ?? NSTemporaryDirectory() + "snapshot-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let help = Self.shell("\(engineBin) serve --help 2>&1")
        let native = help.contains("--snapshot-interval")
        say("engine: \(native ? engineBin + " serve" : bench + " serve-engine (chat-engine serve has no --snapshot-interval)")")

        let broker = try Self.startBroker(port: mqttPort, dir: work)
        defer {
            kill(broker.processIdentifier, SIGKILL)  // SIGTERM may be blocked in children of this process
            for _ in 0..<50 where broker.isRunning { usleep(20_000) }
        }
        try await Task.sleep(for: .milliseconds(300))
        guard broker.isRunning else {
            throw ValidationError("mosquitto did not start on port \(mqttPort); see \(work)/mosquitto.log")
        }

        func engineCommand(dataDir: String, interval: Int, changes: Int) -> String {
            let flags = "--mqtt-port \(mqttPort) --data-dir \(dataDir) --rate-limit 0 --snapshot-interval \(interval) --snapshot-changes \(changes)"
            return native ? "\(engineBin) serve --dev \(flags)" : "\(bench) serve-engine \(flags)"
        }

        // 1. Empty data directory: baseline resident memory.
        var empty = Phase(name: "empty")
        let emptyDir = work + "/empty"
        try FileManager.default.createDirectory(atPath: emptyDir, withIntermediateDirectories: true)
        try await measureStart(&empty, command: engineCommand(dataDir: emptyDir, interval: 3600, changes: 1_000_000_000), log: work + "/empty.log") { _ in }

        // 2 and 3. Seeded copies: snapshots off, then back to back.
        var off = Phase(name: "snapshots off")
        var on = Phase(name: "snapshots every 1 s")
        for (index, interval, changes) in [(0, 3600, 1_000_000_000), (1, 1, 1)] {
            let dir = work + "/seed-\(index)"
            _ = Self.shell("rm -rf '\(dir)' && cp -a '\(seedDir)' '\(dir)'")
            var phase = index == 0 ? off : on
            let log = work + "/seed-\(index).log"
            try await measureStart(&phase, command: engineCommand(dataDir: dir, interval: interval, changes: changes), log: log) { current in
                let line = Self.shell(
                    "\(bench) load --mqtt-port \(mqttPort) --mode engine --rate \(rate) --rooms 10 --members 20 --senders 2 --qos 0 --duration \(duration) --json 2>&1 | tail -1")
                current.load = (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]) ?? ["error": line]
            }
            phase.snapshots = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
                .split(separator: "\n").filter { $0.contains("snapshot written") && $0.contains("reason=") }.map(String.init)
            if index == 0 { off = phase } else { on = phase }
            _ = Self.shell("rm -rf '\(dir)'")
        }

        let perMessage = Double((off.rssKB - empty.rssKB) * 1024) / Double(seedMessages)
        say("")
        say("restore: engine \"state restored\" \(off.restoredMs) ms, process start → ready \(off.readyMs) ms")
        say("RSS: empty \(empty.rssKB / 1024) MB, seeded \(off.rssKB / 1024) MB → \(Int(perMessage)) bytes per stored message")
        say("seed snapshot files: " + Self.shell("ls -l '\(seedDir)' | grep snap | awk '{print $5, $9}'").replacingOccurrences(of: "\n", with: "; "))
        for phase in [off, on] {
            let l = phase.load
            say("load (\(phase.name)): achieved \(l["achieved_rate"] ?? "?") msg/s, p50 \(l["p50_ms"] ?? "?") ms, p99 \(l["p99_ms"] ?? "?") ms, max \(l["max_ms"] ?? "?") ms, lost \(l["lost"] ?? "?") dup \(l["dup"] ?? "?") reordered \(l["reordered"] ?? "?"); snapshots written: \(phase.snapshots.count)")
        }
        for line in on.snapshots.prefix(3) {
            let fields = ["bytes", "encode_ms", "compress_ms", "write_ms"].compactMap { key in
                line.range(of: " \(key)=[0-9]+", options: .regularExpression).map { String(line[$0]) }
            }
            say("  snapshot: " + fields.joined(separator: " "))
        }
        let p99Off = off.load["p99_ms"] as? Double ?? .nan
        let p99On = on.load["p99_ms"] as? Double ?? .nan
        say(String(format: "p99 during snapshots / p99 without: %.2f×", p99On / p99Off))
        say(#"{"bench":"snapshot","restore_ms":\#(off.restoredMs),"ready_ms":\#(off.readyMs),"rss_empty_kb":\#(empty.rssKB),"rss_seeded_kb":\#(off.rssKB),"bytes_per_message":\#(Int(perMessage)),"p99_off_ms":\#(p99Off),"p99_on_ms":\#(p99On),"snapshots_during_load":\#(on.snapshots.count)}"#)
        if workDir == nil { _ = Self.shell("rm -rf '\(work)'") }
    }

    /// Starts the engine, times it to `ready`, reads its RSS after a settle, runs `during`, then kills it.
    private func measureStart(
        _ phase: inout Phase, command: String, log: String, during: (inout Phase) async throws -> Void
    ) async throws {
        let engine = EngineProcess(command: command, logPath: log)
        let clock = ContinuousClock()
        let started = clock.now
        try await engine.start(timeout: 60)
        phase.readyMs = SeedSnapshotCommand.ms(clock.now - started)
        defer { engine.kill9() }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        if let line = text.split(separator: "\n").last(where: { $0.contains("state restored") }),
           let range = line.range(of: #"duration=[0-9.e+-]+ seconds"#, options: .regularExpression) {
            let value = line[range].dropFirst("duration=".count).dropLast(" seconds".count)
            phase.restoredMs = ((Double(value) ?? .nan) * 1e4).rounded() / 10
        }
        try await Task.sleep(for: .seconds(2))
        if let pid = engine.pid { phase.rssKB = Self.rssKB(pid: pid) }
        say("\(phase.name): ready in \(phase.readyMs) ms (state restored \(phase.restoredMs) ms), RSS \(phase.rssKB / 1024) MB")
        try await during(&phase)
    }

    /// Unbuffered, so progress shows even when the output is a file.
    func say(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

    static func rssKB(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
    }

    static func startBroker(port: Int, dir: String) throws -> Process {
        let conf = dir + "/mosquitto.conf"
        try """
            listener \(port) 127.0.0.1
            allow_anonymous true
            max_inflight_messages 1000
            max_queued_messages 100000
            set_tcp_nodelay true
            persistence false

            """.write(toFile: conf, atomically: true, encoding: .utf8)
        let broker = Process()
        broker.executableURL = URL(fileURLWithPath: "/bin/sh")
        broker.arguments = ["-c", "exec mosquitto -c '\(conf)' >'\(dir)/mosquitto.log' 2>&1"]
        try broker.run()
        return broker
    }

    @discardableResult
    static func shell(_ command: String) -> String {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = pipe
        try? process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
