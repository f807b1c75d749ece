@testable import Actors
import Testing

/// `MessageRing` keeps messages in a compact form (slots, one content buffer, a sender table): it must
/// still behave exactly like an array of messages with eviction, whatever is written through it.
struct MessageRingStorageTests {
    /// A small deterministic generator, so a failure replays.
    struct Steps {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static let texts = ["", "hi", "ünïcödé text 🙂", "a longer message that does not fit in a small string at all", "x"]

    func message(_ seq: UInt64, _ steps: inout Steps, room: String = "room-1") -> ChatMessage {
        let sender = steps.next(14)
        let length = steps.next(5)
        let content = Self.texts[length] + String(repeating: "abc ", count: steps.next(40)) + "#\(seq)"
        return ChatMessage(
            roomId: room, seq: seq, senderId: "user-\(sender)-0123456789abcdef", senderName: sender % 3 == 0 ? "Name \(sender) 🙂" : "n\(sender)",
            content: content, kind: MessageKind.allCases[steps.next(4)], timestamp: Double(seq) * 1.5,
            flagged: steps.next(7) == 0)
    }

    @Test(arguments: [1, 7, 50])
    func behavesLikeAnArrayOfMessages(capacity: Int) {
        var steps = Steps(state: UInt64(capacity))
        var ring = MessageRing(capacity: capacity)
        var model: [ChatMessage] = []
        var seq: UInt64 = 0
        for step in 0..<3000 {
            let action = steps.next(20)
            if action < 12 || model.isEmpty {
                seq += UInt64(1 + steps.next(3))
                let new = message(seq, &steps, room: steps.next(200) == 0 ? "elsewhere" : "room-1")
                let evicted = ring.append(new)
                model.append(new)
                if model.count > capacity {
                    #expect(evicted == model.removeFirst())
                } else {
                    #expect(evicted == nil)
                }
            } else if action < 14 {
                let position = steps.next(model.count)
                let text = Self.texts[steps.next(Self.texts.count)] + "edited \(step)"
                ring[position].content = text
                ring[position].editedAt = Double(step)
                model[position].content = text
                model[position].editedAt = Double(step)
            } else if action < 16 {
                let position = steps.next(model.count)
                for index in [position] {
                    ring[index].content = ""
                    ring[index].deleted = true
                    model[index].content = ""
                    model[index].deleted = true
                }
            } else if action < 18 {
                let position = steps.next(model.count)
                ring[position].reactions = [Reaction(emoji: "👍", userIds: ["u\(step)"])]
                ring[position].flagged.toggle()
                model[position].reactions = [Reaction(emoji: "👍", userIds: ["u\(step)"])]
                model[position].flagged.toggle()
            } else if action == 18 {
                // Same content written back: nothing moves.
                let position = steps.next(model.count)
                ring[position] = ring[position]
            } else if step % 7 == 0 {
                let modulus = UInt64(2 + steps.next(3))
                ring.removeAll { $0.seq % modulus == 0 }
                model.removeAll { $0.seq % modulus == 0 }
            }
            #expect(ring.count == model.count)
            #expect(Array(ring) == model)
        }
        for (position, message) in model.enumerated() {
            #expect(ring.position(ofSeq: message.seq) == position)
            #expect(ring.header(at: position).senderId == message.senderId)
            #expect(ring.seq(at: position) == message.seq)
        }
    }

    @Test func contentBufferStaysNearTheLiveContents() {
        var steps = Steps(state: 3)
        var ring = MessageRing(capacity: 1000)
        for seq in 1...20_000 {
            ring.append(message(UInt64(seq), &steps))
        }
        let live = ring.reduce(0) { $0 + $1.content.utf8.count }
        #expect(ring.contentBufferBytes <= live + live * 3 / 8 + 1024)
        #expect(ring.senderCount <= 14 + 1000)
    }

    @Test func copiesAreIndependent() {
        var steps = Steps(state: 9)
        var ring = MessageRing(capacity: 5)
        for seq in 1...5 { ring.append(message(UInt64(seq), &steps)) }
        let before = Array(ring)
        var copy = ring
        copy[2].content = "changed"
        copy.append(message(6, &steps))
        #expect(Array(ring) == before)
        #expect(copy[1].content == "changed")
        #expect(copy != ring)
    }

    @Test func rareFieldsSurviveAndStayValues() {
        var ring = MessageRing(capacity: 3)
        var original = ChatMessage(
            roomId: "r", seq: 1, senderId: "u", senderName: "U", content: "c", kind: .file, timestamp: 1, replyTo: "r:0",
            threadId: "r:0", file: FileInfo(fileId: "f", name: "n", mime: "m", size: 1, sha256: "s"), targetId: "t")
        original.id = "custom"
        ring.append(original)
        var read = ring[0]
        #expect(read == original)
        read.reactions = [Reaction(emoji: "x", userIds: ["u"])]
        #expect(ring[0].reactions.isEmpty)
        #expect(ring[0].id == "custom")
    }
}
