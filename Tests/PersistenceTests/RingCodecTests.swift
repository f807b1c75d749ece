import Actors
import Testing

@testable import Persistence

/// The room record's message loop reads and writes `MessageRing`'s compact storage directly; its bytes
/// must be exactly those of the per-message codec earlier builds used, in both directions.
struct RingCodecTests {
    /// A room whose ring mixes plain messages, rare fields, a foreign room id, a sender who is not a member,
    /// more senders than the ring's small table, non-ASCII text and empty contents, and has wrapped.
    static func mixedRoom(id: String = "mixed", senders: Int = 20) -> RoomState {
        var room = ChatFixtures.richRoom(id: id)
        var ring = MessageRing(capacity: 40)
        for seq in UInt64(1)...90 {
            let sender = Int(seq) % senders
            var message = ChatMessage(
                roomId: id, seq: seq, senderId: sender == 0 ? "alice" : "user-\(sender)", senderName: sender == 0 ? "Alice" : "User \(sender) ✓",
                content: seq % 11 == 0 ? "" : "message \(seq) — héllo \(String(repeating: "x", count: Int(seq) % 30))",
                kind: seq % 13 == 0 ? .image : .text, timestamp: 1_700_000_000 + Double(seq) / 3,
                deleted: seq % 17 == 0, flagged: seq % 19 == 0)
            if seq % 23 == 0 { message.reactions = [Reaction(emoji: "🎉", userIds: ["alice", "bob"])] }
            if seq % 29 == 0 { message.replyTo = "\(id):\(seq - 1)" }
            if seq == 88 { message.roomId = "elsewhere" }
            if seq == 89 { message.id = "custom-\(seq)" }
            ring.append(message)
        }
        room.ring = ring
        room.lastSeq = 90
        room.rebuildDerived()
        return room
    }

    @Test func ringWriterWritesTheBytesOfThePerMessageCodec() {
        let room = Self.mixedRoom()
        var fast = ByteWriter()
        MessageCodec.writeMessages(of: room.ring, roomId: room.info.id, into: &fast)
        var general = ByteWriter()
        for message in room.ring { MessageCodec.write(message, roomId: room.info.id, into: &general) }
        #expect(fast.bytes == general.bytes)
    }

    @Test(arguments: [1, 5, 9, 40])
    func roomRecordsRoundTrip(senders: Int) throws {
        let room = Self.mixedRoom(senders: senders)
        var writer = ByteWriter()
        try RoomStateCodec.write(room, into: &writer)
        var reader = ByteReader(writer.bytes)
        let decoded = try RoomStateCodec.read(from: &reader)
        #expect(reader.isAtEnd)
        #expect(decoded == room)
        #expect(Array(decoded.ring) == Array(room.ring))
        #expect(decoded.ring[39].id == room.ring[39].id)
    }

    /// Bytes as builds before the compact ring wrote them (one `MessageCodec.write` per message) still load.
    @Test func recordsOfThePerMessageCodecStillLoad() throws {
        var room = Self.mixedRoom()
        // Those builds wrote none of the appended fields.
        room.topicEpoch = 0
        room.info.archived = false
        room.invited = room.invited.mapValues { _ in Invitation(invitedBy: "", invitedAt: 0) }
        room.changes = MessageChangeLog()
        var writer = ByteWriter()
        let start = writer.beginLengthPrefix()
        ValueCodec.write(room.info, into: &writer)
        writer.writeVarUInt(UInt64(room.members.count))
        for member in room.members.values { ValueCodec.write(member, into: &writer) }
        ValueCodec.write(room.admins, into: &writer)
        ValueCodec.write(Set(room.invited.keys), into: &writer)
        ValueCodec.write(room.banned, into: &writer)
        writer.writeVarUInt(UInt64(room.muted.count))
        for (user, until) in room.muted {
            writer.writeString(user)
            writer.writeDouble(until)
        }
        writer.writeVarUInt(UInt64(room.readMarks.count))
        for (user, seq) in room.readMarks {
            writer.writeString(user)
            writer.writeVarUInt(seq)
        }
        writer.writeVarUInt(room.lastSeq)
        writer.writeVarUInt(room.appliedLSN)
        writer.writeVarUInt(UInt64(room.ring.capacity))
        writer.writeVarUInt(UInt64(room.ring.count))
        for message in room.ring { MessageCodec.write(message, roomId: room.info.id, into: &writer) }
        try writer.endLengthPrefix(start)
        var reader = ByteReader(writer.bytes)
        #expect(try RoomStateCodec.read(from: &reader) == room)

        // The same record in a whole body of version 1, as those builds wrote it.
        var body = ByteWriter()
        body.writeVarUInt(1)
        body.writeVarUInt(SnapshotSection.rooms.rawValue)
        let rooms = body.beginLengthPrefix()
        body.writeVarUInt(1)
        body.writeRaw(writer.bytes)
        try body.endLengthPrefix(rooms)
        body.writeVarUInt(SnapshotSection.endTag)
        body.writeVarUInt(0)
        #expect(try EngineStateCodec.decode(body.bytes).rooms == [room])
    }

    /// Enough rooms to be decoded on several threads: every room lands whole, in order.
    @Test func roomsDecodedInParallelMatchTheState() throws {
        var state = EngineState()
        for index in 0..<(EngineStateCodec.parallelRoomThreshold * 3 + 7) {
            state.rooms.append(Self.mixedRoom(id: "room-\(index)", senders: 1 + index % 12))
        }
        let body = try EngineStateCodec.encode(state)
        let decoded = try EngineStateCodec.decode(body)
        #expect(decoded.rooms.map(\.info.id) == state.rooms.map(\.info.id))
        #expect(decoded == state)
    }

    @Test func damagedSeqOrderThrowsOnTheFastPath() throws {
        var room = RoomState(info: RoomInfo(id: "r", name: "r", type: .public, creatorId: "u", createdAt: 0), ringCapacity: 5)
        for seq in UInt64(1)...3 {
            room.ring.append(ChatMessage(roomId: "r", seq: seq, senderId: "u", senderName: "u", content: "c", kind: .text, timestamp: 0))
        }
        var writer = ByteWriter()
        try RoomStateCodec.write(room, into: &writer)
        // The third message's seq varint (3) becomes 2: not above the previous one.
        var bytes = writer.bytes
        let third = try #require(bytes.lastIndex(of: 3))
        bytes[third] = 2
        var reader = ByteReader(bytes)
        #expect(throws: PersistenceError.self) { try RoomStateCodec.read(from: &reader) }
    }
}

/// Replies in snapshots: compact ones as their numbers (section `replyForms`), and bodies of builds that
/// wrote only bytes (section `replies`) still load.
struct ReplyFormsCodecTests {
    static let replies = [
        CachedReply(userId: "u1", requestId: "chat/rooms/create\u{0}a", reply: Array("{\"status\":\"created\"}".utf8), expiresAt: 100),
        CachedReply(
            userId: "u2", requestId: "chat/message/r\u{0}b", reply: [], expiresAt: 101,
            compact: CompactReply(seq: 42, timestamp: 1_764_680_000.25, replyLength: 190)),
        CachedReply(userId: "u1", requestId: "chat/message/r\u{0}c", reply: [1, 2, 3], expiresAt: 102),
    ]

    @Test func bothFormsRoundTripInOrder() throws {
        let state = EngineState(replies: Self.replies)
        let decoded = try EngineStateCodec.decode(EngineStateCodec.encode(state))
        #expect(decoded.replies == Self.replies)
        let spans = try SnapshotSection.scan(EngineStateCodec.encode(state)).compactMap(\.section)
        #expect(spans.contains(.replyForms) && !spans.contains(.replies))
    }

    @Test func bodiesWithByteRepliesStillLoad() throws {
        var writer = ByteWriter()
        writer.writeVarUInt(1)
        writer.writeVarUInt(SnapshotSection.replies.rawValue)
        let start = writer.beginLengthPrefix()
        writer.writeVarUInt(2)
        ValueCodec.write(Self.replies[0], into: &writer)
        ValueCodec.write(Self.replies[2], into: &writer)
        try writer.endLengthPrefix(start)
        writer.writeVarUInt(SnapshotSection.endTag)
        writer.writeVarUInt(0)
        #expect(try EngineStateCodec.decode(writer.bytes).replies == [Self.replies[0], Self.replies[2]])
    }

    @Test func unknownReplyFormsThrow() throws {
        var writer = ByteWriter()
        ValueCodec.writeForm(Self.replies[1], into: &writer)
        var bytes = writer.bytes
        // userId "u2" (3 bytes), requestId (1 + 19 bytes), expiresAt (8): the form byte follows.
        let form = 3 + 1 + "chat/message/r\u{0}b".utf8.count + 8
        #expect(bytes[form] == 1)
        bytes[form] = 7
        var reader = ByteReader(bytes)
        #expect(throws: PersistenceError.self) { _ = try ValueCodec.readCachedReplyForm(from: &reader) }
    }
}

/// Body version 2: plain messages of members name them by number (and drop a name equal to theirs).
struct MemberSenderCodecTests {
    static func room() -> RoomState {
        var room = RoomState(info: RoomInfo(id: "m", name: "m", type: .public, creatorId: "a", createdAt: 0), ringCapacity: 50)
        for (index, user) in ["a", "b", "c", "d"].enumerated() {
            room.apply(.joined(Member(userId: "user-\(user)-0123456789abcdef", name: "Name \(user)", joinedAt: Double(index))), lsn: 1)
        }
        for seq in UInt64(1)...80 {
            let member = ["a", "b", "c", "d", "gone"][Int(seq % 5)]
            // Members sometimes post under another name (renamed since); "gone" left the room.
            let name = seq % 7 == 0 ? "Renamed \(member)" : "Name \(member)"
            var message = ChatMessage(
                roomId: "m", seq: seq, senderId: "user-\(member)-0123456789abcdef", senderName: name, content: "text \(seq) ✓",
                kind: .text, timestamp: Double(seq), deleted: seq % 11 == 0)
            if seq % 13 == 0 { message.reactions = [Reaction(emoji: "👍", userIds: ["user-a-0123456789abcdef"])] }
            room.apply(.posted(message), lsn: seq + 1)
        }
        return room
    }

    @Test func membersNamedByNumberRoundTrip() throws {
        let room = Self.room()
        var writer = ByteWriter()
        try RoomStateCodec.write(room, into: &writer)
        var reader = ByteReader(writer.bytes)
        let decoded = try RoomStateCodec.read(from: &reader)
        #expect(decoded == room)
        #expect(Array(decoded.ring) == Array(room.ring))
        // Smaller than the same messages with every sender written out.
        var strings = ByteWriter()
        MessageCodec.writeMessages(of: room.ring, roomId: "m", into: &strings)
        var numbered = ByteWriter()
        var numbers: [String: (number: Int, name: String)] = [:]
        for member in room.members.values { numbers[member.userId] = (numbers.count, member.name) }
        MessageCodec.writeMessages(of: room.ring, roomId: "m", members: numbers, into: &numbered)
        #expect(numbered.count < strings.count * 2 / 3)
    }

    @Test func aSenderNumberBeyondTheMembersThrows() throws {
        var room = RoomState(info: RoomInfo(id: "m", name: "m", type: .public, creatorId: "a", createdAt: 0), ringCapacity: 5)
        room.apply(.joined(Member(userId: "a", name: "A", joinedAt: 0)), lsn: 1)
        room.apply(.posted(ChatMessage(roomId: "m", seq: 1, senderId: "a", senderName: "A", content: "zz", kind: .text, timestamp: 0)), lsn: 2)
        var writer = ByteWriter()
        try RoomStateCodec.write(room, into: &writer, layout: .beforeBodyVersion3)
        // The message ends the ring: seq, flags, kind, timestamp (8), member number, content ("zz"); then
        // the topic epoch (one byte).
        var bytes = writer.bytes
        let number = bytes.count - 5
        #expect(bytes[number] == 0 && bytes[number + 1] == 2)
        bytes[number] = 1
        var reader = ByteReader(bytes)
        #expect(throws: PersistenceError.self) { _ = try RoomStateCodec.read(from: &reader) }
        // The general reader refuses member-numbered messages outright.
        var message = ByteWriter()
        message.writeVarUInt(1)
        message.writeVarUInt(MessageCodec.Flags.senderMember.rawValue)
        var general = ByteReader(message.bytes + [0] + [UInt8](repeating: 0, count: 8) + [0, 0, 0])
        #expect(throws: PersistenceError.self) { _ = try MessageCodec.read(from: &general, roomId: "m") }
    }
}
