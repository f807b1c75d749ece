import BenchCore
import MQTT

/// One sender's loop: paced (`--rate`) or closed-loop (`--inflight`), publishing as its mode says.
struct LoadSender: Sendable {
    /// What a sender did.
    struct Outcome: Sendable {
        var sent = 0
        var sentInWindow = 0
        var failed = 0
    }

    let index: Int
    let mode: LoadCommand.Mode
    let qos: Int32
    let member: LoadMember
    /// Engine: `chat/message/{room}`; direct: a room label; direct-topic: the room topic.
    let roomTopic: String
    let recipients: [String]
    /// Engine mode: whether each message carries a `request_id`.
    var requestIds = false

    /// Sends from `start` until the window ends; `interval` (µs) paces it, else the inflight window does.
    func run(start: UInt64, window: Range<UInt64>, interval: UInt64?) async -> Outcome {
        var outcome = Outcome()
        let client = member.session.client
        // The token prefix is the same for every message; only the content changes.
        let enginePrefix = Array("{\"token\":\"\(member.session.token)\",\"content\":\"".utf8)
        let inboxes = recipients.map { "chat/user/\($0)/messages" }
        await BenchClock.sleep(until: start)
        var number = 0
        while true {
            if let interval {
                await BenchClock.sleep(until: start + UInt64(number) * interval)
            } else {
                await member.receiver.ownWindow?.acquire()
            }
            let now = BenchClock.micros()
            guard now < window.upperBound else { break }
            number += 1
            let content = BenchContent(sender: index, number: number, sentAt: now).text
            do {
                switch mode {
                case .engine:
                    let requestId = requestIds ? Array("\",\"request_id\":\"\(index)-\(number)".utf8) : []
                    try client.publish(
                        topic: roomTopic, payload: enginePrefix + Array(content.utf8) + requestId + Array("\"}".utf8), qos: qos)
                case .direct:
                    let event = Self.event(content: content, number: number, room: roomTopic, sender: member.session.userId)
                    for inbox in inboxes { try client.publish(topic: inbox, payload: event, qos: qos, deferWrite: true) }
                    client.writeQueued()
                case .directTopic:
                    let event = Self.event(content: content, number: number, room: roomTopic, sender: member.session.userId)
                    try client.publish(topic: roomTopic, payload: event, qos: qos)
                }
                outcome.sent += 1
                if window.contains(now) { outcome.sentInWindow += 1 }
            } catch {
                outcome.failed += 1
            }
        }
        return outcome
    }

    /// An event shaped and sized like the engine's message object, so direct modes move the same bytes.
    static func event(content: String, number: Int, room: String, sender: String) -> [UInt8] {
        Array(("{\"id\":\"\(sender)-\(number)\",\"room_id\":\"\(room)\",\"seq\":\(number),\"sender_id\":\"\(sender)\","
            + "\"sender_name\":\"\(sender)\",\"content\":\"\(content)\",\"type\":\"text\",\"timestamp\":1700000000.123456,"
            + "\"reply_to\":null,\"thread_id\":null,\"reply_count\":0,\"reactions\":{},\"edited\":false,"
            + "\"edited_at\":null,\"deleted\":false,\"flagged\":false}").utf8)
    }
}
