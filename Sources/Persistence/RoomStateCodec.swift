import Actors

/// Binary encoding of one ``RoomState``, the unit of the snapshot's rooms section.
///
/// A room is a length-prefixed record: `info`, members (in body version 2, messages of members refer to
/// them by their number in this list), admins, invited, banned, muted (user →
/// Double bit pattern, so `.infinity` survives), read marks, `lastSeq`, `appliedLSN`, then the ring
/// (capacity, count, messages oldest → newest), then the appended fields: `topicEpoch`, then (body
/// version 3) `archived`, each invitation's inviter and time, and the message change log (change number,
/// forgotten-up-to, entries). Each is absent from records an older writer made and takes its default. A reader
/// skips whatever follows the fields it knows inside the record, so a later version can append fields
/// without breaking older readers.
/// The derived `recipients` list is not stored; decoding rebuilds it.
enum RoomStateCodec {
    /// Rings larger than this are damage: the engine's default is 1000.
    static let maxRingCapacity = 1 << 24

    /// Which appended fields a record carries: older builds' layouts stay writable, so tests can prove
    /// they still load.
    enum Layout: Int, Comparable {
        case beforeTopicEpoch, beforeBodyVersion3, current

        static func < (lhs: Layout, rhs: Layout) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    static func write(_ room: RoomState, into writer: inout ByteWriter, layout: Layout = .current) throws(PersistenceError) {
        let start = writer.beginLengthPrefix()
        ValueCodec.write(room.info, into: &writer)
        writer.writeVarUInt(UInt64(room.members.count))
        // Body version 2: messages name their sender by its number in this list.
        var numbers: [String: (number: Int, name: String)] = Dictionary(minimumCapacity: room.members.count)
        for member in room.members.values {
            numbers[member.userId] = (numbers.count, member.name)
            ValueCodec.write(member, into: &writer)
        }
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
        MessageCodec.writeMessages(of: room.ring, roomId: room.info.id, members: numbers, into: &writer)
        // Appended fields: absent in older snapshots, whose readers skip them.
        if layout > .beforeTopicEpoch { writer.writeVarUInt(room.topicEpoch) }
        if layout > .beforeBodyVersion3 { writeSyncFields(of: room, into: &writer) }
        try writer.endLengthPrefix(start)
    }

    private static func writeSyncFields(of room: RoomState, into writer: inout ByteWriter) {
        writer.writeBool(room.info.archived)
        writer.writeVarUInt(UInt64(room.invited.count))
        for (user, invitation) in room.invited {
            writer.writeString(user)
            writer.writeString(invitation.invitedBy)
            writer.writeDouble(invitation.invitedAt)
        }
        writer.writeVarUInt(room.changes.changeSeq)
        writer.writeVarUInt(room.changes.forgottenUpTo)
        writer.writeVarUInt(UInt64(room.changes.entries.count))
        for entry in room.changes.entries {
            writer.writeVarUInt(entry.changeSeq)
            writer.writeVarUInt(entry.seq)
        }
    }

    static func read(from reader: inout ByteReader) throws(PersistenceError) -> RoomState {
        let length = try reader.readLength()
        let end = reader.offset + length
        var info = try ValueCodec.readRoomInfo(from: &reader)

        let memberCount = try reader.readLength()
        var members: [String: Member] = Dictionary(minimumCapacity: memberCount)
        var memberList: [Member] = []
        memberList.reserveCapacity(memberCount)
        for _ in 0..<memberCount {
            let member = try ValueCodec.readMember(from: &reader)
            members[member.userId] = member
            memberList.append(member)
        }
        guard members.count == memberCount else { throw corrupt("duplicate member", in: info, reader) }
        let admins = try ValueCodec.readStringSet(from: &reader)
        let invited = try ValueCodec.readStringSet(from: &reader)
        let banned = try ValueCodec.readStringSet(from: &reader)

        let mutedCount = try reader.readLength()
        var muted: [String: Double] = Dictionary(minimumCapacity: mutedCount)
        for _ in 0..<mutedCount {
            let user = try reader.readString()
            muted[user] = try reader.readDouble()
        }
        let markCount = try reader.readLength()
        var readMarks: [String: UInt64] = Dictionary(minimumCapacity: markCount)
        for _ in 0..<markCount {
            let user = try reader.readString()
            readMarks[user] = try reader.readVarUInt()
        }
        guard muted.count == mutedCount, readMarks.count == markCount else {
            throw corrupt("duplicate user in mutes or read marks", in: info, reader)
        }
        let lastSeq = try reader.readVarUInt()
        let appliedLSN = try reader.readVarUInt()

        let capacity = try reader.readVarUInt()
        guard capacity > 0, capacity <= UInt64(maxRingCapacity) else {
            throw corrupt("ring capacity \(capacity)", in: info, reader)
        }
        let count = try reader.readLength()
        guard count <= Int(capacity) else { throw corrupt("\(count) messages in a ring of \(capacity)", in: info, reader) }
        var room = RoomState(info: info, ringCapacity: Int(capacity))
        // The record's remaining bytes bound its contents: one allocation now, trimmed once read.
        room.ring.reserve(messages: count, contentBytes: end - reader.offset)
        var senders = MessageCodec.SenderCache()
        var memberSenders = [UInt32?](repeating: nil, count: memberList.count)
        var previousSeq: UInt64? = nil
        for _ in 0..<count {
            // MessageRing traps on a non-increasing seq; damaged bytes must throw instead (checked inside).
            previousSeq = try MessageCodec.readMessage(
                into: &room.ring, from: &reader, roomId: info.id, members: members, memberList: memberList,
                memberSenders: &memberSenders, senders: &senders, previousSeq: previousSeq)
        }
        room.ring.shrinkToFit()
        // Appended fields, each absent from records an older writer made.
        let topicEpoch = reader.offset < end ? try reader.readVarUInt() : 0
        var invitations: [String: Invitation] = Dictionary(uniqueKeysWithValues: invited.map { ($0, Invitation(invitedBy: "", invitedAt: 0)) })
        var changes = MessageChangeLog()
        if reader.offset < end {
            info.archived = try reader.readBool()
            let count = try reader.readLength()
            for _ in 0..<count {
                let user = try reader.readString()
                let by = try reader.readString()
                let at = try reader.readDouble()
                guard invitations[user] != nil else { throw corrupt("an inviter for \(user), who is not invited", in: info, reader) }
                invitations[user] = Invitation(invitedBy: by, invitedAt: at)
            }
            let changeSeq = try reader.readVarUInt()
            let forgottenUpTo = try reader.readVarUInt()
            let entryCount = try reader.readLength()
            var entries: [MessageChangeLog.Entry] = []
            entries.reserveCapacity(min(entryCount, MessageChangeLog.defaultCapacity))
            for _ in 0..<entryCount {
                let number = try reader.readVarUInt()
                entries.append(MessageChangeLog.Entry(changeSeq: number, seq: try reader.readVarUInt()))
            }
            changes = MessageChangeLog(changeSeq: changeSeq, forgottenUpTo: forgottenUpTo, entries: entries)
        }
        guard reader.offset <= end else {
            throw PersistenceError(.corrupt, "room \(info.id) overruns its record by \(reader.offset - end) bytes")
        }
        // Fields a newer writer appended to the record.
        try reader.skip(end - reader.offset)

        room.members = members
        room.admins = admins
        room.info = info
        room.invited = invitations
        room.changes = changes
        room.banned = banned
        room.muted = muted
        room.readMarks = readMarks
        room.lastSeq = lastSeq
        room.appliedLSN = appliedLSN
        room.topicEpoch = topicEpoch
        room.rebuildDerived()
        return room
    }

    private static func corrupt(_ what: String, in info: RoomInfo, _ reader: ByteReader) -> PersistenceError {
        PersistenceError(.corrupt, "room \(info.id): \(what) before offset \(reader.offset)")
    }
}
