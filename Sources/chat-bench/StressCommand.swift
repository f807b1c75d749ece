import ArgumentParser
import Foundation
import Wire

/// `chat-bench stress`: random concurrent operations, then invariant checks.
struct StressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stress",
        abstract: "Random concurrent users, then check the engine's invariants; non-zero exit on any violation.",
        discussion: """
            --users sessions each do random operations (--ops, weighted, mostly messages) one at a time, \
            every request with a request_id, until --duration or --max-ops. Then the tool waits for late \
            replies and events, joins every room with a checker user, pages each room's history and \
            checks: every request got exactly one reply; each member received the room's messages in \
            strictly increasing, gap-free seq order while a member (and all of them by the end); no \
            delivery after a confirmed leave; every acknowledged message is in history with its id and \
            content; delivered seqs agree with history; member_count in join/leave replies fits one \
            serial history, and the final member list matches the replies.

            --engine-cmd "chat-engine serve --dev --rate-limit 0 --mqtt-port P --data-dir D" starts the \
            engine (waiting for its `ready` line) and stops it at the end; with --chaos it is SIGKILLed \
            and restarted at random moments: acknowledged messages must survive; a request without a reply \
            is retried with the same request_id (up to 3 times, as PROTOCOL.md §1.10 tells clients), and a \
            live-delivery gap across a crash must be filled by history.
            Ops available: \(StressOp.allCases.map(\.rawValue).joined(separator: ",")).
            """
    )

    @OptionGroup var broker: BrokerOptions

    @Option(help: "Concurrent users (one MQTT session each).")
    var users = 30

    @Option(help: "Seconds of random operations.")
    var duration: Double = 20

    @Option(help: "Random seed (each user derives its own).")
    var seed: UInt64 = 1

    @Option(help: "Enabled operation kinds, comma separated.")
    var ops = StressOp.implemented.map(\.rawValue).joined(separator: ",")

    @Option(help: "Operations per user at most.")
    var maxOps = 2000

    @Option(help: "Rooms to create (a soft cap: users check it before creating).")
    var maxRooms = 12

    @Option(help: "Shell command that runs the engine; the tool starts and stops it.")
    var engineCmd: String?

    @Option(help: "Where the started engine's output goes.")
    var engineLog = "/tmp/chat-bench-engine.log"

    @Flag(help: "SIGKILL and restart the engine at random moments (needs --engine-cmd).")
    var chaos = false

    @Option(help: "Mean seconds between chaos kills.")
    var chaosInterval: Double = 6

    func validate() throws {
        guard users > 0, users <= 250 else { throw ValidationError("1…250 users") }
        guard duration > 0, duration <= 600 else { throw ValidationError("duration 0…600 s") }
        guard !chaos || engineCmd != nil else { throw ValidationError("--chaos needs --engine-cmd") }
        _ = try StressOp.parse(ops)
    }

    func run() async throws {
        let run = try StressRun(command: self)
        let report = try await run.run()
        print(report.text)
        if !report.violations.isEmpty { throw ExitCode(1) }
    }
}
