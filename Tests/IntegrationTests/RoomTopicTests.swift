@testable import Engine
import Foundation
import Testing
import Wire

/// `--fanout room-topic` on the shipped broker (deploy/mosquitto with its dynamic security rules): a room's
/// events are published once, to a topic only members are told, and the broker keeps everyone else out.
@Suite(.timeLimit(.minutes(2)))
struct RoomTopicTests {
    static let users = ["alice", "bob", "carol", "dave", "mallory"].map { (name: $0, password: "\($0)-pw") }

    /// The shipped broker (in `folder`, on `ports`, if given) with an engine in room-topic mode on its
    /// engine-only listener.
    static func withRoomTopics(
        users: [(name: String, password: String)] = users, dataDirectory: String? = nil, in folder: URL? = nil,
        ports: [Int]? = nil, _ body: (Broker, EngineHarness) async throws -> Void
    ) async throws {
        let broker = try await Broker.shipped(users: users, enginePassword: "engine-pw", in: folder, ports: ports)
        try await withHarness({
            try await EngineHarness(broker: broker) {
                $0.mqttPort = broker.ports[1]
                $0.clientID = "chat-engine"
                $0.mqttUsername = "chat-engine"
                $0.mqttPassword = "engine-pw"
                $0.fanout = .roomTopic
                $0.dataDirectory = dataDirectory
            }
        }, { try await body(broker, $0) })
    }

    static func user(_ id: String, _ broker: Broker) async throws -> ChatClient {
        try await ChatClient(userId: id, port: broker.port, password: "\(id)-pw")
    }

    /// A room created by `owner`: its id and the topic its events go to.
    static func createRoom(_ name: String, by owner: ChatClient) async throws -> (roomId: String, topic: String) {
        let created = try await owner.request("chat/rooms/create", ["name": .string(name)])
        return (try #require(created["room_id"]?.stringValue), try #require(created["events_topic"]?.stringValue))
    }

    @Test func membersHearTheRoomOnItsTopicWithOnePublishPerEvent() async throws {
        try await Self.withRoomTopics { broker, _ in
            let alice = try await Self.user("alice", broker)
            let bob = try await Self.user("bob", broker)
            let mallory = try await Self.user("mallory", broker)
            let (roomId, topic) = try await Self.createRoom("topics", by: alice)
            #expect(topic.wholeMatch(of: /chat\/room\/[0-9a-f]{32}\/events/) != nil)
            let joined = try await bob.request("chat/rooms/join/\(roomId)")
            #expect(joined["events_topic"]?.stringValue == topic)
            await alice.follow(topic)
            await bob.follow(topic)
            // Carol joins, then listens on mosquitto_sub (the shipped broker takes the user name as client id,
            // so her own client goes first): a client that is not the project's own reads the same arrays.
            let carol = try await Self.user("carol", broker)
            try await carol.join(roomId)
            carol.client.disconnect()
            let phone = try await MosquittoCLI.Subscriber(port: broker.port, topic: topic, credentials: ("carol", "carol-pw"))

            for i in 0..<30 { try alice.send("chat/message/\(roomId)", ["content": .string("m\(i)")]) }
            for member in [alice, bob] {
                try await member.waitUntil("30 messages on the room topic") { member.roomEvents("text").count >= 30 }
                let seen = member.roomEvents("text")
                #expect(seen.compactMap { $0["content"]?.stringValue } == (0..<30).map { "m\($0)" })
                // Nothing of the room in the inboxes: one publish per event, not one per member.
                #expect(member.events("text").isEmpty)
            }
            func phoneTexts() -> [String] {
                phone.messages.flatMap { $0.json.arrayValue ?? [] }.filter { $0["type"]?.stringValue == "text" }
                    .compactMap { $0["content"]?.stringValue }
            }
            try await phone.waitUntil("30 messages on mosquitto_sub") { _ in phoneTexts().count >= 30 }
            #expect(phone.messages.allSatisfy { $0.json.arrayValue != nil }, "every room-topic payload is a JSON array")
            #expect(phoneTexts() == (0..<30).map { "m\($0)" })
            _ = try await bob.request("chat/typing/\(roomId)/start")
            _ = try await alice.waitFor("typing on the room topic") { topic, json in
                topic.hasPrefix("chat/room/") && json["type"]?.stringValue == "typing_start"
            }

            // Members learn the topic from the list and the room's info; others never do.
            let mine = try await bob.request("chat/rooms/list", ["scope": "mine"])
            #expect(mine["rooms"]?.arrayValue?.first?["events_topic"]?.stringValue == topic)
            #expect(try await bob.request("chat/rooms/\(roomId)/info")["events_topic"]?.stringValue == topic)
            let listed = try await mallory.request("chat/rooms/list", ["scope": "public"])
            #expect(listed["rooms"]?.arrayValue?.allSatisfy { $0["events_topic"] == nil } == true)
            #expect(try await mallory.request("chat/rooms/\(roomId)/info")["events_topic"] == nil)
            // Direct messages stay in the two inboxes.
            #expect(try await alice.request("chat/private/bob", ["content": "psst"])["events_topic"] == nil)
            _ = try await bob.event("text") { $0["content"]?.stringValue == "psst" }
        }
    }

    @Test func strangersWildcardsAndFormerMembersHearNothing() async throws {
        let spyNames = (0..<6).map { "spy\($0)" }
        try await Self.withRoomTopics(users: Self.users + spyNames.map { ($0, "\($0)-pw") }) { broker, _ in
            let alice = try await Self.user("alice", broker)
            let bob = try await Self.user("bob", broker)
            let carol = try await Self.user("carol", broker)
            let (roomId, firstTopic) = try await Self.createRoom("closed circle", by: alice)
            var topic = firstTopic
            var known: Set<String> = [topic]
            for user in [bob, carol] { try await user.join(roomId) }
            for user in [alice, bob, carol] { await user.follow(topic) }
            // The broker refuses every wildcard that would match a room topic, and any shared subscription.
            // (One account each: the shipped broker keeps one session per account.)
            var spies: [MosquittoCLI.Subscriber] = []
            let filters = ["chat/room/+/events", "chat/room/#", "chat/#", "#", "+/room/+/events", "$share/g/chat/room/+/events"]
            for (filter, spy) in zip(filters, spyNames) {
                spies.append(try await MosquittoCLI.Subscriber(port: broker.port, topic: filter, credentials: (spy, "\(spy)-pw")))
            }
            #expect(spies.allSatisfy { $0.lines.contains { $0.contains("denied") } }, "every wildcard refused")
            _ = try await alice.say(roomId, "members only")
            _ = try await bob.waitFor("the first message") { $0 == topic && $1["content"]?.stringValue == "members only" }

            /// Alice says `secret` after `removal`; the members who stay follow the renamed topic and hear
            /// it, `removed` (still subscribed to every name it knew) does not.
            func expectRenamed(after removal: () async throws -> Void, removed: ChatClient, staying: [ChatClient], secret: String) async throws {
                let old = topic
                try await removal()
                for member in staying {
                    let renamed = try await member.event("room_topic") { !known.contains($0["events_topic"]?.stringValue ?? old) }
                    topic = try #require(renamed["events_topic"]?.stringValue)
                    #expect(renamed["room_id"]?.stringValue == roomId)
                    await member.follow(topic)
                }
                known.insert(topic)
                #expect(topic != old)
                #expect(removed.received(on: "/messages").allSatisfy { $0["events_topic"]?.stringValue != topic })
                // Subscribing again by hand to a name it knew changes nothing.
                await removed.follow(old)
                _ = try await alice.say(roomId, secret)
                for member in staying {
                    _ = try await member.waitFor(secret) { $0 == topic && $1["content"]?.stringValue == secret }
                }
            }
            try await expectRenamed(
                after: { _ = try await carol.request("chat/rooms/leave/\(roomId)") }, removed: carol, staying: [alice, bob],
                secret: "after carol left")
            try await expectRenamed(
                after: { _ = try await alice.request("chat/admin/rooms/\(roomId)/moderate", ["action": "kick", "user_id": "bob"]) },
                removed: bob, staying: [alice], secret: "after bob was kicked")
            try await carol.join(roomId)
            let rejoined = try await carol.request("chat/rooms/\(roomId)/info")
            #expect(rejoined["events_topic"]?.stringValue == topic, "a member who comes back gets the name in use")
            await carol.follow(topic)
            try await expectRenamed(
                after: { _ = try await alice.request("chat/admin/users/carol/ban", ["room_id": .string(roomId)]) },
                removed: carol, staying: [alice], secret: "after carol was banned")

            try await Task.sleep(for: .milliseconds(300))
            let secrets = ["after carol left", "after bob was kicked", "after carol was banned"]
            #expect(bob.count { _, json in secrets.dropFirst().contains(json["content"]?.stringValue ?? "") } == 0)
            #expect(carol.count { _, json in [secrets[0], secrets[2]].contains(json["content"]?.stringValue ?? "") } == 0)
            #expect(spies.allSatisfy { $0.messages.isEmpty }, "a wildcard subscription heard the room")
        }
    }

    /// Room-topic events may wait to be joined while the topic's last publish is unacknowledged; a request's
    /// reply waits behind them (PROTOCOL §1.7). Two members flood one room: each `message_sent` arrives
    /// after the sender heard its own event, and nothing of the room arrives after the `left` reply of a
    /// member who leaves mid-flood.
    @Test func repliesArriveAfterTheirRequestsRoomEventsUnderLoad() async throws {
        try await Self.withRoomTopics { broker, _ in
            let alice = try await Self.user("alice", broker)
            let bob = try await Self.user("bob", broker)
            let carol = try await Self.user("carol", broker)
            let (roomId, topic) = try await Self.createRoom("flood", by: alice)
            try await bob.join(roomId)
            try await carol.join(roomId)
            for member in [alice, bob, carol] { await member.follow(topic) }
            var sent: [(ChatClient, String)] = []
            for i in 0..<150 {
                for member in [alice, bob] { sent.append((member, try member.send("chat/message/\(roomId)", ["content": .string("m\(i)")]))) }
            }
            // Carol leaves mid-flood.
            try await carol.waitUntil("100 messages") { carol.roomEvents("text").count >= 100 }
            sent.append((carol, try carol.send("chat/rooms/leave/\(roomId)")))
            for (member, requestId) in sent { _ = try await member.reply(to: requestId) }
            for member in [alice, bob] {
                // Carol's leave renamed the topic; what they follow carried the seqs up to `last_seq`.
                let renamed = try await member.event("room_topic")
                let lastSeq = try #require(renamed["last_seq"]?.intValue)
                var heard: Set<Int> = []
                var checked = 0
                var overtaken: [Int] = []
                for (topic, json) in member.arrivals() {
                    if topic.hasPrefix("chat/room/"), json["type"]?.stringValue == "text", let seq = json["seq"]?.intValue {
                        heard.insert(seq)
                    } else if json["status"]?.stringValue == "message_sent", let seq = json["seq"]?.intValue, seq <= lastSeq {
                        checked += 1
                        if !heard.contains(seq) { overtaken.append(seq) }
                    }
                }
                #expect(checked >= 40, "\(member.userId): \(checked) replies checked, last_seq \(lastSeq)")
                #expect(overtaken.isEmpty, "\(member.userId): replies that overtook their events")
            }
            let log = carol.arrivals()
            let leftAt = try #require(log.firstIndex { $0.json["status"]?.stringValue == "left" })
            #expect(!log[leftAt...].contains { $0.topic == topic }, "carol heard the room after her left reply")
            #expect(log[..<leftAt].contains { $0.topic == topic })
        }
    }

    /// A member who stays through joins and leaves hears the room in seq order on each name, and finds
    /// what went out between a rename and its new subscription in `history`.
    @Test func orderHoldsAcrossJoinsAndLeavesAndHistoryFillsTheGaps() async throws {
        try await Self.withRoomTopics { broker, _ in
            let alice = try await Self.user("alice", broker)
            let bob = try await Self.user("bob", broker)
            let carol = try await Self.user("carol", broker)
            let dave = try await Self.user("dave", broker)
            let (roomId, firstTopic) = try await Self.createRoom("busy", by: alice)
            var topic = firstTopic
            try await bob.join(roomId)
            await bob.follow(topic)
            var known: Set<String> = [topic]
            /// Bob moves to the room topic's next name, as a client does on `room_topic`.
            func followRename() async throws {
                let renamed = try await bob.event("room_topic") { !known.contains($0["events_topic"]?.stringValue ?? topic) }
                bob.unfollow(topic)
                topic = try #require(renamed["events_topic"]?.stringValue)
                known.insert(topic)
                await bob.follow(topic)
            }
            for round in 0..<3 {
                for i in 0..<20 { try alice.send("chat/message/\(roomId)", ["content": .string("r\(round)-\(i)")]) }
                try await carol.join(roomId)
                try await dave.join(roomId)
                _ = try await carol.request("chat/rooms/leave/\(roomId)")
                try await followRename()
                _ = try await dave.request("chat/rooms/leave/\(roomId)")
                try await followRename()
            }
            let last = try await alice.say(roomId, "the end")
            let lastSeq = try #require(last["seq"]?.intValue)
            try await bob.waitUntil("the last message") {
                bob.roomEvents("text").contains { $0["content"]?.stringValue == "the end" }
            }
            let heard = bob.roomEvents("text").compactMap { $0["seq"]?.intValue }
            #expect(heard == heard.sorted() && Set(heard).count == heard.count, "in seq order, once each")
            // Every room-topic payload is an array of events; a burst may share one.
            #expect(bob.roomTopicNonArrays == 0)
            #expect(bob.roomTopicPublishes > 0 && bob.roomTopicPublishes <= bob.roomAndInboxEvents().count)
            let history = try await bob.request("chat/history/\(roomId)", ["limit": 100])
            let stored = Set(history["messages"]?.arrayValue?.compactMap { $0["seq"]?.intValue } ?? [])
            #expect(Set(heard).isSubset(of: stored))
            #expect(stored.max() == lastSeq && stored.count == lastSeq, "history holds every seq, gaps included")
        }
    }

    @Test func topicNamesSurviveEngineAndBrokerRestarts() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shipped-\(UUID().uuidString)")
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("data-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(atPath: data)
        }
        var roomId = ""
        var topic = ""
        var ports: [Int] = []
        try await Self.withRoomTopics(dataDirectory: data, in: folder) { broker, _ in
            ports = broker.ports
            let alice = try await Self.user("alice", broker)
            let carol = try await Self.user("carol", broker)
            roomId = try await alice.createRoom("lasting", joinedBy: [carol])
            _ = try await carol.request("chat/rooms/leave/\(roomId)")
            topic = try #require(try await alice.request("chat/rooms/\(roomId)/info")["events_topic"]?.stringValue)
        }
        // Broker and engine both stopped; both start again from their files.
        try await Self.withRoomTopics(users: [], dataDirectory: data, in: folder, ports: ports) { broker, _ in
            let alice = try await Self.user("alice", broker)
            let bob = try await Self.user("bob", broker)
            #expect(try await alice.request("chat/rooms/\(roomId)/info")["events_topic"]?.stringValue == topic)
            let joined = try await bob.request("chat/rooms/join/\(roomId)")
            #expect(joined["events_topic"]?.stringValue == topic)
            await bob.follow(topic)
            _ = try await alice.say(roomId, "after the restarts")
            _ = try await bob.waitFor("the message") { $0 == topic && $1["content"]?.stringValue == "after the restarts" }
        }
    }
}
