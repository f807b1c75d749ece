import Actors

/// Binary encoding of a ``JournalEntry``: the payload of one journal record.
///
/// An entry is a tag byte and its fields; a room entry is tag 1, the room id, then the change's own
/// tag byte and fields. Tags are part of the on-disk format: never renumber them, only add new ones.
///
/// | entry tag | entry          | change tag | room change                                  |
/// |----------:|----------------|-----------:|----------------------------------------------|
/// | 1         | room(id, …)    | 1          | created(info, creator)                       |
/// | 2         | globalBan      | 2          | joined(member)                               |
/// | 3         | reply          | 3          | left(userId, newAdmin?)                      |
/// | 4         | lastSeen       | 4          | posted(message)                              |
/// | 5         | file           | 5 … 18     | edited, deleted, reacted, invited, read,     |
/// |           |                |            | locked, slowMode, historyCleared, muted,     |
/// |           |                |            | unmuted, banned, unbanned, removed, activity |
/// | 6         | fileRemoved    |            |                                              |
/// | 7         | origin prefix  |            |                                              |
/// | 8         | block          |            |                                              |
/// | 9         | pushDevice     |            |                                              |
/// | 10        | pushDeviceRemoved |         |                                              |
/// | 11        | pushQueued     |            |                                              |
/// | 12        | pushFinished   |            |                                              |
///
/// Tag 7 is not an entry: it prefixes one with the ``ChangeOrigin`` it was made for (user id, request
/// key), then the entry follows with its own tag. Records without an origin keep the shorter form.
public enum JournalEntryCodec {
    static let originTag: UInt8 = 7

    /// Encodes `entry` as one journal payload, prefixed by the request it was made for. On the hot path:
    /// one small allocation.
    public static func encode(_ entry: JournalEntry, origin: ChangeOrigin? = nil) -> [UInt8] {
        var writer = ByteWriter(capacity: 128)
        if let origin {
            writer.writeUInt8(originTag)
            writer.writeString(origin.userId)
            writer.writeString(origin.requestKey)
        }
        switch entry {
        case .room(let id, let change):
            writer.writeUInt8(1)
            writer.writeString(id)
            write(change, roomId: id, into: &writer)
        case .globalBan(let userId, let banned):
            writer.writeUInt8(2)
            writer.writeString(userId)
            writer.writeBool(banned)
        case .reply(let reply):
            writer.writeUInt8(3)
            assert(reply.compact == nil, "journal records carry reply bytes")
            ValueCodec.write(reply, into: &writer)
        case .lastSeen(let userId, let at):
            writer.writeUInt8(4)
            writer.writeString(userId)
            writer.writeDouble(at)
        case .file(let file):
            writer.writeUInt8(5)
            ValueCodec.write(file, into: &writer)
        case .fileRemoved(let fileId):
            writer.writeUInt8(6)
            writer.writeString(fileId)
        case .block(let blockerId, let userId, let blocked):
            writer.writeUInt8(8)
            writer.writeString(blockerId)
            writer.writeString(userId)
            writer.writeBool(blocked)
        case .pushDevice(let userId, let device):
            writer.writeUInt8(9)
            writer.writeString(userId)
            ValueCodec.write(device, into: &writer)
        case .pushDeviceRemoved(let userId, let deviceId):
            writer.writeUInt8(10)
            writer.writeString(userId)
            writer.writeString(deviceId)
        case .pushQueued(let push):
            writer.writeUInt8(11)
            ValueCodec.write(push, into: &writer)
        case .pushFinished(let id):
            writer.writeUInt8(12)
            writer.writeString(id)
        }
        return writer.bytes
    }

    /// Decodes one journal payload, dropping its origin; malformed or trailing bytes throw.
    public static func decode(_ bytes: [UInt8]) throws(PersistenceError) -> JournalEntry {
        try decodeRecord(bytes).entry
    }

    /// Decodes one journal payload and the request it was made for, if it names one.
    public static func decodeRecord(_ bytes: [UInt8]) throws(PersistenceError) -> (entry: JournalEntry, origin: ChangeOrigin?) {
        var reader = ByteReader(bytes)
        var tag = try reader.readUInt8()
        var origin: ChangeOrigin?
        if tag == originTag {
            let userId = try reader.readString()
            origin = ChangeOrigin(userId: userId, requestKey: try reader.readString())
            tag = try reader.readUInt8()
        }
        let entry: JournalEntry
        switch tag {
        case 1:
            let id = try reader.readString()
            entry = .room(id: id, try readChange(from: &reader, roomId: id))
        case 2:
            let userId = try reader.readString()
            entry = .globalBan(userId: userId, banned: try reader.readBool())
        case 3:
            entry = .reply(try ValueCodec.readCachedReply(from: &reader))
        case 4:
            let userId = try reader.readString()
            entry = .lastSeen(userId: userId, at: try reader.readDouble())
        case 5:
            entry = .file(try ValueCodec.readStoredFile(from: &reader))
        case 6:
            entry = .fileRemoved(fileId: try reader.readString())
        case 8:
            let blockerId = try reader.readString()
            let userId = try reader.readString()
            entry = .block(blockerId: blockerId, userId: userId, blocked: try reader.readBool())
        case 9:
            let userId = try reader.readString()
            entry = .pushDevice(userId: userId, try ValueCodec.readPushDevice(from: &reader))
        case 10:
            let userId = try reader.readString()
            entry = .pushDeviceRemoved(userId: userId, deviceId: try reader.readString())
        case 11:
            entry = .pushQueued(try ValueCodec.readPendingPush(from: &reader))
        case 12:
            entry = .pushFinished(id: try reader.readString())
        case let tag:
            throw PersistenceError(.corrupt, "unknown journal entry tag \(tag)")
        }
        try reader.expectEnd()
        return (entry, origin)
    }

    // MARK: Room changes

    static func write(_ change: RoomChange, roomId: String, into writer: inout ByteWriter) {
        switch change {
        case .created(let info, let creator):
            writer.writeUInt8(1)
            ValueCodec.write(info, into: &writer)
            ValueCodec.write(creator, into: &writer)
        case .joined(let member):
            writer.writeUInt8(2)
            ValueCodec.write(member, into: &writer)
        case .left(let userId, let newAdmin):
            writer.writeUInt8(3)
            writer.writeString(userId)
            writer.writeOptionalString(newAdmin)
        case .posted(let message):
            writer.writeUInt8(4)
            MessageCodec.write(message, roomId: roomId, into: &writer)
        case .edited(let seq, let content, let at):
            writer.writeUInt8(5)
            writer.writeVarUInt(seq)
            writer.writeString(content)
            writer.writeDouble(at)
        case .deleted(let seq, let at):
            writer.writeUInt8(6)
            writer.writeVarUInt(seq)
            writer.writeDouble(at)
        case .reacted(let seq, let emoji, let userId, let added):
            writer.writeUInt8(7)
            writer.writeVarUInt(seq)
            writer.writeString(emoji)
            writer.writeString(userId)
            writer.writeBool(added)
        case .invited(let userId, let by, let at):
            // Tag 8 (the invitee alone) is still read, from journals older than inviters.
            writer.writeUInt8(19)
            writer.writeString(userId)
            writer.writeString(by)
            writer.writeDouble(at)
        case .inviteRevoked(let userId):
            writer.writeUInt8(20)
            writer.writeString(userId)
        case .read(let userId, let seq):
            writer.writeUInt8(9)
            writer.writeString(userId)
            writer.writeVarUInt(seq)
        case .locked(let locked):
            writer.writeUInt8(10)
            writer.writeBool(locked)
        case .slowMode(let seconds):
            writer.writeUInt8(11)
            ValueCodec.writeInt(seconds, into: &writer)
        case .historyCleared:
            writer.writeUInt8(12)
        case .muted(let userId, let until):
            writer.writeUInt8(13)
            writer.writeString(userId)
            ValueCodec.writeOptionalDouble(until, into: &writer)
        case .unmuted(let userId):
            writer.writeUInt8(14)
            writer.writeString(userId)
        case .banned(let userId):
            writer.writeUInt8(15)
            writer.writeString(userId)
        case .unbanned(let userId):
            writer.writeUInt8(16)
            writer.writeString(userId)
        case .removed(let seqs):
            writer.writeUInt8(17)
            writer.writeVarUInt(UInt64(seqs.count))
            for seq in seqs { writer.writeVarUInt(seq) }
        case .activity(let at):
            writer.writeUInt8(18)
            writer.writeDouble(at)
        case .renamed(let name):
            writer.writeUInt8(21)
            writer.writeString(name)
        case .described(let description):
            writer.writeUInt8(22)
            writer.writeString(description)
        case .promoted(let userId):
            writer.writeUInt8(23)
            writer.writeString(userId)
        case .demoted(let userId):
            writer.writeUInt8(24)
            writer.writeString(userId)
        case .archived(let archived):
            writer.writeUInt8(25)
            writer.writeBool(archived)
        }
    }

    static func readChange(from reader: inout ByteReader, roomId: String) throws(PersistenceError) -> RoomChange {
        switch try reader.readUInt8() {
        case 1:
            let info = try ValueCodec.readRoomInfo(from: &reader)
            return .created(info, creator: try ValueCodec.readMember(from: &reader))
        case 2:
            return .joined(try ValueCodec.readMember(from: &reader))
        case 3:
            let userId = try reader.readString()
            return .left(userId: userId, newAdmin: try reader.readOptionalString())
        case 4:
            return .posted(try MessageCodec.read(from: &reader, roomId: roomId))
        case 5:
            let seq = try reader.readVarUInt()
            let content = try reader.readString()
            return .edited(seq: seq, content: content, at: try reader.readDouble())
        case 6:
            let seq = try reader.readVarUInt()
            return .deleted(seq: seq, at: try reader.readDouble())
        case 7:
            let seq = try reader.readVarUInt()
            let emoji = try reader.readString()
            let userId = try reader.readString()
            return .reacted(seq: seq, emoji: emoji, userId: userId, added: try reader.readBool())
        case 8:
            return .invited(userId: try reader.readString(), by: "", at: 0)
        case 9:
            let userId = try reader.readString()
            return .read(userId: userId, seq: try reader.readVarUInt())
        case 10:
            return .locked(try reader.readBool())
        case 11:
            return .slowMode(seconds: try ValueCodec.readInt(from: &reader))
        case 12:
            return .historyCleared
        case 13:
            let userId = try reader.readString()
            return .muted(userId: userId, until: try ValueCodec.readOptionalDouble(from: &reader))
        case 14:
            return .unmuted(userId: try reader.readString())
        case 15:
            return .banned(userId: try reader.readString())
        case 16:
            return .unbanned(userId: try reader.readString())
        case 17:
            let count = try reader.readLength()
            var seqs: [UInt64] = []
            seqs.reserveCapacity(count)
            for _ in 0..<count { seqs.append(try reader.readVarUInt()) }
            return .removed(seqs: seqs)
        case 18:
            return .activity(at: try reader.readDouble())
        case 19:
            let userId = try reader.readString()
            let by = try reader.readString()
            return .invited(userId: userId, by: by, at: try reader.readDouble())
        case 20:
            return .inviteRevoked(userId: try reader.readString())
        case 21:
            return .renamed(try reader.readString())
        case 22:
            return .described(try reader.readString())
        case 23:
            return .promoted(userId: try reader.readString())
        case 24:
            return .demoted(userId: try reader.readString())
        case 25:
            return .archived(try reader.readBool())
        case let tag:
            throw PersistenceError(.corrupt, "unknown room change tag \(tag) at offset \(reader.offset - 1)")
        }
    }
}
