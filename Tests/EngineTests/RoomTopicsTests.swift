import Actors
import Testing
import Wire

@testable import Engine

struct RoomTopicsTests {
    let topics = RoomTopics(secret: Array("a-secret-of-at-least-thirty-two-bytes".utf8))

    @Test func aNameIsStableAndChangesWithTheEpochTheRoomAndTheSecret() {
        let name = topics.topic(roomId: "r1", epoch: 0)
        #expect(name == topics.topic(roomId: "r1", epoch: 0))
        #expect(name.wholeMatch(of: /chat\/room\/[0-9a-f]{32}\/events/) != nil)
        #expect(!name.contains("r1"), "the room id is not guessable from the name, nor the name from the id")
        let others = [
            topics.topic(roomId: "r1", epoch: 1), topics.topic(roomId: "r2", epoch: 0),
            RoomTopics(secret: Array("another-secret-of-thirty-two-bytes!".utf8)).topic(roomId: "r1", epoch: 0),
        ]
        #expect(Set(others + [name]).count == 4)
        // Room id and epoch are separated: ("r1", 10) and ("r11", 0) cannot meet.
        #expect(topics.topic(roomId: "r1", epoch: 256) != topics.topic(roomId: "r1\u{1}", epoch: 0))
    }

    /// Names are cached per room; the cache must follow the epoch and survive being emptied when full.
    @Test func cachedNamesFollowTheEpochAndMatchFreshOnes() {
        let cached = RoomTopics(secret: Array("a-secret-of-at-least-thirty-two-bytes".utf8), cachedRooms: 2)
        let fresh = { (room: String, epoch: UInt64) in
            RoomTopics(secret: Array("a-secret-of-at-least-thirty-two-bytes".utf8)).topic(roomId: room, epoch: epoch)
        }
        for (room, epoch) in [("r1", 0), ("r1", 1), ("r2", 0), ("r3", 5), ("r1", 1), ("r1", 0), ("r2", 0)] as [(String, UInt64)] {
            #expect(cached.topic(roomId: room, epoch: epoch) == fresh(room, epoch), "\(room) at \(epoch)")
        }
        #expect(cached.topic(roomId: "r1", epoch: 0) != cached.topic(roomId: "r1", epoch: 1))
    }

    /// Room-topic payloads are arrays: one event alone, joined ones in order, whatever their sizes.
    @Test func roomTopicPayloadsAreArraysOfEvents() throws {
        let events = [#"{"seq":1}"#, #"{"seq":2,"content":"[,]"}"#, #"{"seq":3}"#].map { Array($0.utf8) }
        let single = RoomTopicBatch.single(events[0])
        #expect(try JSONParser.parse(single) == .array([["seq": 1]]))
        let joined = RoomTopicBatch.join(events.map(RoomTopicBatch.single))
        #expect(try JSONParser.parse(joined).arrayValue?.compactMap { $0["seq"]?.intValue } == [1, 2, 3])
        #expect(try JSONParser.parse(RoomTopicBatch.join([single, RoomTopicBatch.join(events.dropFirst().map(RoomTopicBatch.single))]))
                == JSONParser.parse(joined))
        #expect(RoomTopicBatch.coalescing.maxBytes == RoomTopicBatch.maxBytes)
    }

    @Test func directRoomsHaveNoTopic() {
        let direct = RoomAudience(roomId: "private_alice_bob", isDirect: true, topicEpoch: 0, members: ["alice", "bob"])
        #expect(topics.topic(for: direct) == nil)
        let room = RoomAudience(roomId: "r1", isDirect: false, topicEpoch: 2, members: ["alice"])
        #expect(topics.topic(for: room) == topics.topic(roomId: "r1", epoch: 2))
    }
}
