import ArgumentParser
import Foundation

/// `chat-bench load`: end-to-end latency and throughput of room messages.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Measure end-to-end latency and throughput of room messages.",
        discussion: """
            R rooms × M members, each member its own MQTT session subscribed to its inbox \
            (chat/user/{id}/#). S members per room send; the content carries the sender, a per-sender \
            number and the send time, so each receiver computes latency (HdrHistogram, warm-up excluded) \
            and counts lost, duplicate and reordered deliveries.

            Modes:
              engine: the real protocol (create, join, chat/message/{room}).
              direct: the sender publishes the event to each member's inbox
                (the engine's deliveries without the engine), handing the
                whole fan-out to the network thread at once, as the engine does.
              direct-topic: one publish to bench/room/{r}, which all members
                subscribe to (the broker's own fan-out).

            --rate 0 sends as fast as possible with --inflight unacknowledged messages per sender (a \
            sender's message is acknowledged when it receives it back). The run stops by itself after \
            warm-up + duration + at most 5 s of drain. Start the engine with --rate-limit 0.
            """
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case engine, direct
        case directTopic = "direct-topic"
    }

    @OptionGroup var broker: BrokerOptions

    @Option(help: "engine | direct | direct-topic.")
    var mode: Mode = .engine

    @Option(help: "Rooms.")
    var rooms = 10

    @Option(help: "Members per room (one MQTT session each).")
    var members = 20

    @Option(help: "Senders per room (the first members).")
    var senders = 2

    @Option(help: "Total messages per second over all senders; 0 = as fast as --inflight allows.")
    var rate: Double = 0

    @Option(help: "Unacknowledged messages per sender when --rate is 0.")
    var inflight = 8

    @Option(help: "Measured seconds.")
    var duration: Double = 10

    @Option(help: "Seconds of sending before measuring.")
    var warmup: Double = 2

    @Option(help: "QoS of subscriptions and the bench's publishes (0, 1 or 2).")
    var qos: Int32 = 0

    @Option(help: "QoS of the senders' publishes, if not --qos: direct --publish-qos 1 publishes like the engine does.")
    var publishQos: Int32?

    /// The QoS senders publish with.
    var senderQos: Int32 { publishQos ?? qos }

    @Flag(help: "Engine mode: give every message a request_id, as PROTOCOL.md tells clients to (the engine then also journals and caches each reply).")
    var requestIds = false

    @Flag(help: "Print only the JSON line.")
    var json = false

    func validate() throws {
        guard rooms > 0, members > 0, senders > 0, senders <= members else {
            throw ValidationError("need rooms, members, senders > 0 and senders ≤ members")
        }
        guard rooms * members <= 1000 else {
            throw ValidationError("at most 1000 sessions (each is one libmosquitto thread)")
        }
        guard duration > 0, duration <= 600, warmup >= 0, rate >= 0, (0...2).contains(qos),
              (0...2).contains(senderQos) else {
            throw ValidationError("duration 0…600 s, warm-up ≥ 0, rate ≥ 0, QoS 0…2")
        }
    }

    func run() async throws {
        let load = try LoadRun(command: self)
        let result = try await load.run()
        if !json { print(result.summary) }
        print(result.jsonLine)
    }
}
