import Actors
import Testing

@testable import Persistence

/// Blocks in snapshots and the journal: added as a new section and a new entry tag, so older bodies and
/// journals still load, and a body without blocks is byte for byte what older builds wrote.
struct BlockCodecTests {
    static let blocks: [String: Set<String>] = ["bob": ["alice", "mallory"], "carol": ["dave"]]

    @Test func blocksRoundTripInTheSnapshotBody() throws {
        var state = ChatFixtures.richState()
        state.blocks = Self.blocks
        let body = try EngineStateCodec.encode(state)
        #expect(try EngineStateCodec.decode(body) == state.normalized)
        #expect(try SnapshotSection.scan(body).map(\.tag) == [1, 2, 6, 4, 5, 7])
    }

    /// An older body has no blocks section: it loads with nobody blocked. And a state without blocks
    /// writes no such section, so older builds read it unchanged.
    @Test func aBodyWithoutTheSectionLoadsWithNoBlocks() throws {
        let state = ChatFixtures.richState()
        let body = try EngineStateCodec.encode(state)
        #expect(try SnapshotSection.scan(body).map(\.tag) == [1, 2, 6, 4, 5])
        #expect(try EngineStateCodec.decode(body).blocks.isEmpty)
    }

    @Test func blockEntriesRoundTripWithAndWithoutTheirRequest() throws {
        let origin = ChangeOrigin(userId: "bob", requestKey: "chat/users/block/alice\u{0}b-1")
        try expectRoundTrips(
            [.block(blockerId: "bob", userId: "alice", blocked: true), .block(blockerId: "bob", userId: "alice", blocked: false)],
            origin: origin)
    }

    @Test func replayEndsAsTheLastRecordSays() throws {
        var replayer = StateReplayer(state: EngineState(blocks: ["bob": ["zed"]]), ringCapacity: 10)
        replayer.apply(.block(blockerId: "bob", userId: "alice", blocked: true), lsn: 1)
        replayer.apply(.block(blockerId: "bob", userId: "zed", blocked: false), lsn: 2)
        replayer.apply(.block(blockerId: "carol", userId: "alice", blocked: true), lsn: 3)
        replayer.apply(.block(blockerId: "carol", userId: "alice", blocked: false), lsn: 4)
        // A record the snapshot already reflects is applied again harmlessly.
        replayer.apply(.block(blockerId: "bob", userId: "alice", blocked: true), lsn: 5)
        #expect(replayer.finish(now: 0).blocks == ["bob": ["alice"]])
    }
}
