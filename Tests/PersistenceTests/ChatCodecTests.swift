import Actors
import Foundation
import Testing

@testable import Persistence

struct ChatCodecTests {
    // MARK: Round trips

    @Test func engineStateRoundTripsEveryField() throws {
        let state = ChatFixtures.richState()
        let decoded = try EngineStateCodec.decode(EngineStateCodec.encode(state))
        #expect(decoded == state.normalized)
        let room = try #require(decoded.rooms.first)
        #expect(room.muted["bob"] == .infinity)
        #expect(room.ring.capacity == 5)
        #expect(room.ring.map(\.seq) == [5, 6, 7, 8, 10])
        #expect(room.ring.last?.id == "custom-id")
        #expect(room.ring.last?.roomId == "elsewhere")
        #expect(room.ring[0].replyTo == nil && room.ring[0].reactions.isEmpty && room.ring[0].file == nil)
        #expect(room.ring[1].file == ChatFixtures.file)
        #expect(room.appliedLSN == 4242 && room.lastSeq == 12)
        #expect(room.topicEpoch == 7)
        #expect(room.info.archived && room.invited["dave"]?.invitedBy == "alice")
        #expect(room.changes.changeSeq == 3 && room.changes.entries.map(\.seq) == [6, 8, 6])
        #expect(room.recipients == ["alice", "bob", "carol"])
    }

    /// Records written before `topicEpoch` was appended end after the ring: they read as epoch 0.
    @Test func aRoomRecordWithoutTheTopicEpochReadsAsEpochZero() throws {
        let room = ChatFixtures.richRoom()
        var writer = ByteWriter()
        try RoomStateCodec.write(room, into: &writer, layout: .beforeTopicEpoch)
        var reader = ByteReader(writer.bytes)
        let decoded = try RoomStateCodec.read(from: &reader)
        #expect(decoded.topicEpoch == 0 && decoded.ring.map(\.seq) == room.ring.map(\.seq))
        #expect(reader.isAtEnd)
    }

    /// Records of body version 2 lack `archived`, inviters and the change log: they read as not
    /// archived, invitations from nobody known, and an empty log (a syncing client refetches nothing).
    @Test func aRoomRecordOfBodyVersion2ReadsWithDefaultsForTheSyncFields() throws {
        let room = ChatFixtures.richRoom()
        var writer = ByteWriter()
        try RoomStateCodec.write(room, into: &writer, layout: .beforeBodyVersion3)
        var reader = ByteReader(writer.bytes)
        let decoded = try RoomStateCodec.read(from: &reader)
        #expect(reader.isAtEnd)
        #expect(decoded.topicEpoch == room.topicEpoch)
        #expect(!decoded.info.archived)
        #expect(decoded.invited == ["dave": Invitation(invitedBy: "", invitedAt: 0)])
        #expect(decoded.changes == MessageChangeLog())
        #expect(decoded.ring.map(\.seq) == room.ring.map(\.seq))
    }

    @Test func emptyStateRoundTrips() throws {
        #expect(try EngineStateCodec.decode(EngineStateCodec.encode(EngineState())) == EngineState())
    }

    @Test func everyJournalEntryRoundTrips() throws {
        for entry in ChatFixtures.everyEntry() {
            #expect(try JournalEntryCodec.decode(JournalEntryCodec.encode(entry)) == entry)
        }
    }

    @Test func everyJournalEntryRoundTripsWithTheRequestItWasMadeFor() throws {
        let origin = ChangeOrigin(userId: "bob", requestKey: "chat/rooms/join/general\u{0}j-1")
        for entry in ChatFixtures.everyEntry() {
            let bytes = JournalEntryCodec.encode(entry, origin: origin)
            let record = try JournalEntryCodec.decodeRecord(bytes)
            #expect(record.entry == entry && record.origin == origin)
            // Readers that want only the entry still get it.
            #expect(try JournalEntryCodec.decode(bytes) == entry)
            #expect(try JournalEntryCodec.decodeRecord(JournalEntryCodec.encode(entry)).origin == nil)
            for length in 0..<bytes.count {
                #expect(throws: PersistenceError.self) { try JournalEntryCodec.decodeRecord(Array(bytes.prefix(length))) }
            }
        }
        // An origin prefixes an entry; it is not one.
        var twice = ByteWriter(capacity: 64)
        twice.writeUInt8(JournalEntryCodec.originTag)
        twice.writeString("alice")
        twice.writeString("key")
        let inner = JournalEntryCodec.encode(.lastSeen(userId: "a", at: 1), origin: origin)
        #expect(errorCode { _ = try JournalEntryCodec.decodeRecord(twice.bytes + inner) } == .corrupt)
    }

    @Test func bulkStateRoundTripsQuickly() throws {
        let state = ChatFixtures.bulkState(rooms: 100, messages: 1000)
        let body = try EngineStateCodec.encode(state)
        let compressed = try Zlib.compress(body, level: 1)
        let decoded = try EngineStateCodec.decode(Zlib.decompress(compressed, expectedSize: body.count, limit: 1 << 30))
        #expect(decoded.rooms.count == 100)
        #expect(decoded == state.normalized)
    }

    // MARK: Damage

    @Test func everyTruncatedBodyThrows() throws {
        let body = try EngineStateCodec.encode(ChatFixtures.richState())
        for length in 0..<body.count {
            #expect(throws: PersistenceError.self) { try EngineStateCodec.decode(Array(body.prefix(length))) }
        }
    }

    @Test func everyTruncatedJournalEntryThrows() throws {
        for entry in ChatFixtures.everyEntry() {
            let bytes = JournalEntryCodec.encode(entry)
            for length in 0..<bytes.count {
                #expect(throws: PersistenceError.self) { try JournalEntryCodec.decode(Array(bytes.prefix(length))) }
            }
            #expect(errorCode { _ = try JournalEntryCodec.decode(bytes + [0]) } == .corrupt)
        }
    }

    @Test func corruptedBytesThrowOrDecodeButNeverTrap() throws {
        let body = try EngineStateCodec.encode(ChatFixtures.richState())
        var rng = SplitMix64(seed: 7)
        for position in body.indices {
            for flip: UInt8 in [0xFF, 0x01, UInt8.random(in: 2...254, using: &rng)] {
                var damaged = body
                damaged[position] ^= flip
                _ = try? EngineStateCodec.decode(damaged)
            }
        }
        for entry in ChatFixtures.everyEntry() {
            let bytes = JournalEntryCodec.encode(entry)
            for position in bytes.indices {
                var damaged = bytes
                damaged[position] ^= 0xFF
                _ = try? JournalEntryCodec.decode(damaged)
            }
        }
    }

    @Test func rejectsSpecificCorruption() throws {
        // A ring whose seqs do not increase would trap in MessageRing: it must throw instead.
        var room = RoomState(info: RoomInfo(id: "r", name: "r", type: .public, creatorId: "a", createdAt: 0), ringCapacity: 4)
        room.ring.append(ChatFixtures.plainMessage(room: "r", seq: 5))
        room.ring.append(ChatFixtures.plainMessage(room: "r", seq: 6))
        var writer = ByteWriter()
        try RoomStateCodec.write(room, into: &writer)
        var bytes = writer.bytes
        let second = try #require(bytes.lastIndex(of: 6))  // seq of the last message (plain: seq is the first field)
        bytes[second] = 5
        var reader = ByteReader(bytes)
        #expect(throws: PersistenceError.self) { _ = try RoomStateCodec.read(from: &reader) }

        #expect(errorCode { _ = try JournalEntryCodec.decode([200]) } == .corrupt)  // no entry has tag 200
        #expect(errorCode { _ = try JournalEntryCodec.decode([1, 1, 0x72, 99]) } == .corrupt)
        #expect(errorCode { _ = try EngineStateCodec.decode([UInt8(EngineStateCodec.bodyVersion + 1), 0, 0]) } == .unsupportedVersion)
    }

    @Test func skipsUnknownSections() throws {
        let state = ChatFixtures.richState()
        var body = try EngineStateCodec.encode(state)
        // Insert a section with an unknown tag just before the end section.
        body.removeLast(2)
        body += [99, 3, 1, 2, 3, 0, 0]
        #expect(try EngineStateCodec.decode(body) == state.normalized)
        #expect(try SnapshotSection.scan(body).map(\.tag) == [1, 2, 6, 4, 5, 99])  // replies as replyForms (6)
    }

    @Test func rejectsDuplicateSections() throws {
        var body = try EngineStateCodec.encode(EngineState(globalBans: ["x"]))
        body.removeLast(2)
        body += [2, 2, 1, 0x79, 0, 0]  // a second globalBans section
        #expect(errorCode { _ = try EngineStateCodec.decode(body) } == .corrupt)
    }
}
