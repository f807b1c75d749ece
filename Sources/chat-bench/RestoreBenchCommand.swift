import ArgumentParser
import Foundation

/// `chat-bench restore-bench`: an engine filled through the wire, then restarted: bytes per stored
/// message while live and after a restart, and the time to `ready`.
struct RestoreBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore-bench",
        abstract: "Fill an engine through the wire, then time restarts and measure RSS per stored message.",
        discussion: """
            Needs mosquitto on PATH; starts its own broker on --mqtt-port. Steps:
              1. an engine on an empty data directory: baseline RSS;
              2. unless --data-dir already holds a filled state: an engine on --data-dir, filled with \
            `chat-bench fill` (R rooms × M messages, request ids on), RSS 2 s after the fill (the live \
            engine, reply cache included), then SIGTERM (the final snapshot);
              3. --restarts times: the engine on a fresh copy of --data-dir: time to `ready`, its \
            "state restored" duration, RSS 2 s after `ready`; then SIGKILL.
            Bytes per message = (RSS − RSS empty) / (R × M). Medians over the restarts.
            """
    )

    @Option(help: "Rooms to fill.")
    var rooms = 1000

    @Option(help: "Messages per room to fill.")
    var messages = 1000

    @Option(help: "Data directory: filled when empty or absent, reused as it is otherwise.")
    var dataDir: String

    @Option(help: "Port of the private broker this command starts.")
    var mqttPort = 18_890

    @Option(help: "The chat-engine executable (default: next to chat-bench).")
    var engine: String?

    @Option(help: "Restarts to time.")
    var restarts = 3

    @Option(help: "Fill: MQTT sessions.")
    var sessions = 4

    @Option(help: "Fill: unanswered messages per session.")
    var inflight = 64

    @Option(help: "Scratch directory (default: a new one under /tmp).")
    var workDir: String?

    func run() async throws {
        let bench = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let engineBin = engine ?? (bench as NSString).deletingLastPathComponent + "/chat-engine"
        let work = workDir ?? NSTemporaryDirectory() + "restore-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let broker = try SnapshotBenchCommand.startBroker(port: mqttPort, dir: work)
        defer {
            kill(broker.processIdentifier, SIGKILL)
            for _ in 0..<50 where broker.isRunning { usleep(20_000) }
        }
        try await Task.sleep(for: .milliseconds(300))
        guard broker.isRunning else { throw ValidationError("mosquitto did not start on port \(mqttPort)") }
        func command(_ dir: String) -> String {
            "\(engineBin) serve --dev --mqtt-port \(mqttPort) --data-dir '\(dir)' --rate-limit 0"
                + " --snapshot-interval 3600 --snapshot-changes 1000000000"
        }
        let stored = Double(rooms * messages)

        let emptyDir = work + "/empty"
        try FileManager.default.createDirectory(atPath: emptyDir, withIntermediateDirectories: true)
        let empty = try await start(command(emptyDir), log: work + "/empty.log")
        empty.process.kill9()
        say("empty engine: RSS \(empty.rssKB / 1024) MB")

        let existing = (try? FileManager.default.contentsOfDirectory(atPath: dataDir)) ?? []
        if existing.isEmpty {
            try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
            let filling = try await start(command(dataDir), log: work + "/fill-engine.log", settle: 0)
            let fill = try FillCommand.parse([
                "--mqtt-port", "\(mqttPort)", "--rooms", "\(rooms)", "--messages", "\(messages)",
                "--sessions", "\(sessions)", "--inflight", "\(inflight)",
            ])
            let line = try await FillRun(command: fill).run()
            say(line)
            try await Task.sleep(for: .seconds(2))
            let live = filling.process.pid.map(SnapshotBenchCommand.rssKB) ?? 0
            say("live engine after the fill: RSS \(live / 1024) MB → \(perMessage(live, empty.rssKB, stored)) bytes per stored message")
            say(#"{"bench":"restore-fill","rss_live_kb":\#(live),"rss_empty_kb":\#(empty.rssKB),"bytes_per_message_live":\#(perMessage(live, empty.rssKB, stored))}"#)
            let stopped = ContinuousClock.now
            if let pid = filling.process.pid { kill(pid, SIGTERM) }
            while filling.process.pid != nil, ContinuousClock.now - stopped < .seconds(120) {
                try await Task.sleep(for: .milliseconds(100))
            }
            filling.process.kill9()
            say("engine stopped (final snapshot) in \(SeedSnapshotCommand.ms(ContinuousClock.now - stopped)) ms")
        }

        var runs: [(ready: Double, restored: Double, rss: Int)] = []
        for index in 0..<restarts {
            let copy = work + "/restart"
            SnapshotBenchCommand.shell("rm -rf '\(copy)' && cp -a '\(dataDir)' '\(copy)'")
            let log = work + "/restart-\(index).log"
            let started = try await start(command(copy), log: log)
            started.process.kill9()
            runs.append((started.readyMs, started.restoredMs, started.rssKB))
            say("restart \(index + 1): ready in \(started.readyMs) ms (state restored \(started.restoredMs) ms), RSS \(started.rssKB / 1024) MB → \(perMessage(started.rssKB, empty.rssKB, stored)) bytes per stored message")
            let detail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains("restore phases") || $0.contains("state restored") }
            for line in detail { say("  " + line) }
        }
        SnapshotBenchCommand.shell("rm -rf '\(work)/restart'")
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let rss = Int(median(runs.map { Double($0.rss) }))
        say(#"{"bench":"restore","restarts":\#(runs.count),"ready_ms_median":\#(median(runs.map(\.ready))),"restored_ms_median":\#(median(runs.map(\.restored))),"rss_kb_median":\#(rss),"rss_empty_kb":\#(empty.rssKB),"bytes_per_message":\#(perMessage(rss, empty.rssKB, stored))}"#)
    }

    struct Started {
        var process: EngineProcess
        var readyMs: Double
        var restoredMs: Double
        var rssKB: Int
    }

    /// Starts the engine, times it to `ready` and reads its RSS after `settle` seconds.
    private func start(_ command: String, log: String, settle: Int = 2) async throws -> Started {
        let engine = EngineProcess(command: command, logPath: log)
        let clock = ContinuousClock()
        let began = clock.now
        try await engine.start(timeout: 120)
        let readyMs = SeedSnapshotCommand.ms(clock.now - began)
        var restoredMs = 0.0
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        if let line = text.split(separator: "\n").last(where: { $0.contains("state restored") }),
           let range = line.range(of: #"duration=[0-9.e+-]+ seconds"#, options: .regularExpression) {
            let value = line[range].dropFirst("duration=".count).dropLast(" seconds".count)
            restoredMs = ((Double(value) ?? .nan) * 1e4).rounded() / 10
        }
        if settle > 0 { try await Task.sleep(for: .seconds(settle)) }
        let rss = engine.pid.map(SnapshotBenchCommand.rssKB) ?? 0
        return Started(process: engine, readyMs: readyMs, restoredMs: restoredMs, rssKB: rss)
    }

    private func perMessage(_ rssKB: Int, _ emptyKB: Int, _ stored: Double) -> Int {
        Int(Double((rssKB - emptyKB) * 1024) / stored)
    }

    func say(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
}
