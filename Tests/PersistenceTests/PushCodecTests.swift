import Actors
import Testing

@testable import Persistence

/// Push devices and pending pushes in snapshots and the journal: new sections (8, 9) and entry tags
/// (9-12), written only when there is something to write, so older bodies and journals still load.
struct PushCodecTests {
    static let phone = PushDevice(deviceId: "phone-1", platform: "apns", pushToken: String(repeating: "ab", count: 32), appId: "com.example.chat", registeredAt: 1_700_000_000.25)
    static let browser = PushDevice(deviceId: "browser", platform: "webpush", pushToken: #"{"endpoint":"https://push.example/x"}"#, appId: "web", registeredAt: 1_700_000_001)
    static func push(_ id: String, _ userId: String = "bob") -> PendingPush {
        PendingPush(id: id, userId: userId, body: Array(#"{"push_id":"\#(id)","user_id":"\#(userId)"}"#.utf8), queuedAt: 1_700_000_002.5)
    }

    @Test func devicesAndPendingPushesRoundTripInTheSnapshotBody() throws {
        var state = ChatFixtures.richState()
        state.pushDevices = ["bob": [Self.phone, Self.browser], "carol": [Self.browser]]
        state.pendingPushes = [Self.push("p1"), Self.push("p2", "carol"), Self.push("p3")]
        let body = try EngineStateCodec.encode(state)
        #expect(try EngineStateCodec.decode(body) == state.normalized)
        #expect(try SnapshotSection.scan(body).map(\.tag) == [1, 2, 6, 4, 5, 8, 9])
    }

    @Test func aStateWithoutPushWritesNoPushSections() throws {
        let body = try EngineStateCodec.encode(ChatFixtures.richState())
        #expect(try SnapshotSection.scan(body).map(\.tag) == [1, 2, 6, 4, 5])
        let decoded = try EngineStateCodec.decode(body)
        #expect(decoded.pushDevices.isEmpty && decoded.pendingPushes.isEmpty)
    }

    @Test func pushEntriesRoundTripAndRefuseEveryTruncation() throws {
        let origin = ChangeOrigin(userId: "bob", requestKey: "chat/push/register\u{0}r-1")
        let entries: [JournalEntry] = [
            .pushDevice(userId: "bob", Self.phone), .pushDeviceRemoved(userId: "bob", deviceId: "phone-1"),
            .pushQueued(Self.push("p1")), .pushFinished(id: "p1"),
        ]
        try expectRoundTrips(entries, origin: origin)
    }

    /// Replay over a snapshot that already holds some of the records: devices end as the last record
    /// says, a push the snapshot holds is not queued twice, finished pushes leave, order is kept.
    @Test func replayKeepsTheQueueInOrderWithoutDuplicates() throws {
        let snapshot = EngineState(pushDevices: ["bob": [Self.phone]], pendingPushes: [Self.push("p1"), Self.push("p2")])
        var replayer = StateReplayer(state: snapshot, ringCapacity: 10)
        replayer.apply(.pushQueued(Self.push("p2")), lsn: 1)
        replayer.apply(.pushQueued(Self.push("p3", "carol")), lsn: 2)
        replayer.apply(.pushFinished(id: "p1"), lsn: 3)
        replayer.apply(.pushQueued(Self.push("p4")), lsn: 4)
        replayer.apply(.pushFinished(id: "p3"), lsn: 5)
        replayer.apply(.pushDevice(userId: "bob", Self.browser), lsn: 6)
        var renewed = Self.phone
        renewed.pushToken = "renewed"
        replayer.apply(.pushDevice(userId: "bob", renewed), lsn: 7)
        replayer.apply(.pushDevice(userId: "carol", Self.browser), lsn: 8)
        replayer.apply(.pushDeviceRemoved(userId: "carol", deviceId: "browser"), lsn: 9)
        let state = replayer.finish(now: 0)
        #expect(state.pendingPushes.map(\.id) == ["p2", "p4"])
        #expect(state.pushDevices == ["bob": [Self.browser, renewed]])
    }
}
