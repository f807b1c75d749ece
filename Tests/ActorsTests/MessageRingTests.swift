@testable import Actors
import Testing

struct MessageRingTests {
    func message(_ seq: UInt64) -> ChatMessage {
        ChatMessage(roomId: "r", seq: seq, senderId: "u", senderName: "u", content: "m\(seq)", kind: .text, timestamp: Double(seq))
    }

    @Test func keepsTheNewestCapacityMessagesInOrder() {
        var ring = MessageRing(capacity: 1000)
        var evicted: [UInt64] = []
        for seq in 1...1500 {
            if let old = ring.append(message(UInt64(seq))) { evicted.append(old.seq) }
        }
        #expect(ring.count == 1000)
        #expect(ring.first?.seq == 501)
        #expect(ring.last?.seq == 1500)
        #expect(evicted == Array(1...500))
        #expect(ring.map(\.seq) == Array(501...1500))
    }

    @Test func evictedMessagesNoLongerResolve() {
        var state = RoomState(info: RoomInfo(id: "r", name: "r", type: .public, creatorId: "u", createdAt: 0), ringCapacity: 3)
        for seq in 1...5 { state.apply(.posted(message(UInt64(seq))), lsn: UInt64(seq)) }
        #expect(state.message(seq: 2) == nil)
        #expect(state.message(seq: 3)?.content == "m3")
        #expect(state.ring.position(ofSeq: 5) == 2)
        #expect(ChatMessage.parseID(ChatMessage.id(roomId: "private_a_b", seq: 7))?.seq == 7)
        #expect(ChatMessage.parseID("no-colon") == nil)
    }

    @Test func lookupsWorkWithGapsAfterRemoval() {
        var ring = MessageRing(capacity: 10)
        for seq in 1...10 { ring.append(message(UInt64(seq))) }
        ring.removeAll { $0.seq % 2 == 0 }
        #expect(ring.map(\.seq) == [1, 3, 5, 7, 9])
        #expect(ring.position(ofSeq: 4) == nil)
        #expect(ring.lowerBound(seq: 4) == 2)
        ring.append(message(11))
        #expect(ring.last?.seq == 11)
    }
}
