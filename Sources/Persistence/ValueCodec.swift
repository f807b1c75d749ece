import Actors

/// Binary encoding of the small chat values shared by snapshots and journal records.
///
/// Fields are written in declaration order with no per-field tags: the enclosing record (a snapshot
/// section, a length-prefixed room, a journal entry) is what carries versioning. Enum cases are
/// written as fixed numbers, never as positions in `allCases`, so reordering a Swift enum cannot
/// change the format.
enum ValueCodec {
    // MARK: Enums

    static func write(_ type: RoomType, into writer: inout ByteWriter) {
        switch type {
        case .public: writer.writeUInt8(0)
        case .private: writer.writeUInt8(1)
        case .direct: writer.writeUInt8(2)
        }
    }

    static func readRoomType(from reader: inout ByteReader) throws(PersistenceError) -> RoomType {
        switch try reader.readUInt8() {
        case 0: return .public
        case 1: return .private
        case 2: return .direct
        case let other: throw PersistenceError(.corrupt, "unknown room type \(other) at offset \(reader.offset - 1)")
        }
    }

    @inline(__always)
    static func write(_ kind: MessageKind, into writer: inout ByteWriter) {
        switch kind {
        case .text: writer.writeUInt8(0)
        case .image: writer.writeUInt8(1)
        case .file: writer.writeUInt8(2)
        case .system: writer.writeUInt8(3)
        }
    }

    @inline(__always)
    static func readMessageKind(from reader: inout ByteReader) throws(PersistenceError) -> MessageKind {
        switch try reader.readUInt8() {
        case 0: return .text
        case 1: return .image
        case 2: return .file
        case 3: return .system
        case let other: throw PersistenceError(.corrupt, "unknown message kind \(other) at offset \(reader.offset - 1)")
        }
    }

    // MARK: Scalars

    @inline(__always)
    static func writeInt(_ value: Int, into writer: inout ByteWriter) {
        writer.writeVarInt(Int64(value))
    }

    @inline(__always)
    static func readInt(from reader: inout ByteReader) throws(PersistenceError) -> Int {
        Int(truncatingIfNeeded: try reader.readVarInt())
    }

    static func writeOptionalDouble(_ value: Double?, into writer: inout ByteWriter) {
        if let value {
            writer.writeUInt8(1)
            writer.writeDouble(value)
        } else {
            writer.writeUInt8(0)
        }
    }

    static func readOptionalDouble(from reader: inout ByteReader) throws(PersistenceError) -> Double? {
        try reader.readBool() ? try reader.readDouble() : nil
    }

    /// Writes a set's count, then its elements (in the set's own order: order carries no meaning).
    static func write(_ set: Set<String>, into writer: inout ByteWriter) {
        writer.writeVarUInt(UInt64(set.count))
        for element in set { writer.writeString(element) }
    }

    static func readStringSet(from reader: inout ByteReader) throws(PersistenceError) -> Set<String> {
        // Every element takes at least one byte, so `readLength` also bounds the count.
        let count = try reader.readLength()
        var set = Set<String>(minimumCapacity: count)
        for _ in 0..<count { set.insert(try reader.readString()) }
        guard set.count == count else {
            throw PersistenceError(.corrupt, "duplicate element in a set before offset \(reader.offset)")
        }
        return set
    }

    // MARK: Structs

    static func write(_ info: RoomInfo, into writer: inout ByteWriter) {
        writer.writeString(info.id)
        writer.writeString(info.name)
        writer.writeString(info.description)
        write(info.type, into: &writer)
        writer.writeString(info.creatorId)
        writer.writeDouble(info.createdAt)
        writeInt(info.maxMembers, into: &writer)
        writer.writeDouble(info.lastActivity)
        writer.writeBool(info.locked)
        writeInt(info.slowModeSeconds, into: &writer)
    }

    static func readRoomInfo(from reader: inout ByteReader) throws(PersistenceError) -> RoomInfo {
        let id = try reader.readString()
        let name = try reader.readString()
        let description = try reader.readString()
        let type = try readRoomType(from: &reader)
        let creatorId = try reader.readString()
        let createdAt = try reader.readDouble()
        let maxMembers = try readInt(from: &reader)
        let lastActivity = try reader.readDouble()
        let locked = try reader.readBool()
        let slowMode = try readInt(from: &reader)
        return RoomInfo(
            id: id, name: name, description: description, type: type, creatorId: creatorId,
            createdAt: createdAt, maxMembers: maxMembers, lastActivity: lastActivity, locked: locked,
            slowModeSeconds: slowMode)
    }

    static func write(_ member: Member, into writer: inout ByteWriter) {
        writer.writeString(member.userId)
        writer.writeString(member.name)
        writer.writeDouble(member.joinedAt)
    }

    static func readMember(from reader: inout ByteReader) throws(PersistenceError) -> Member {
        let userId = try reader.readString()
        let name = try reader.readString()
        return Member(userId: userId, name: name, joinedAt: try reader.readDouble())
    }

    static func write(_ file: FileInfo, into writer: inout ByteWriter) {
        writer.writeString(file.fileId)
        writer.writeString(file.name)
        writer.writeString(file.mime)
        writeInt(file.size, into: &writer)
        writer.writeString(file.sha256)
    }

    static func readFileInfo(from reader: inout ByteReader) throws(PersistenceError) -> FileInfo {
        let fileId = try reader.readString()
        let name = try reader.readString()
        let mime = try reader.readString()
        let size = try readInt(from: &reader)
        return FileInfo(fileId: fileId, name: name, mime: mime, size: size, sha256: try reader.readString())
    }

    static func write(_ reply: CachedReply, into writer: inout ByteWriter) {
        writer.writeString(reply.userId)
        writer.writeString(reply.requestId)
        writer.writeBytes(reply.reply)
        writer.writeDouble(reply.expiresAt)
    }

    static func readCachedReply(from reader: inout ByteReader) throws(PersistenceError) -> CachedReply {
        let userId = try reader.readString()
        let requestId = try reader.readString()
        let reply = try reader.readBytes()
        return CachedReply(userId: userId, requestId: requestId, reply: reply, expiresAt: try reader.readDouble())
    }

    /// A reply in the `replyForms` section: bytes or the compact form.
    static func writeForm(_ reply: CachedReply, into writer: inout ByteWriter) {
        writer.writeString(reply.userId)
        writer.writeString(reply.requestId)
        writer.writeDouble(reply.expiresAt)
        if let compact = reply.compact {
            writer.writeVarUInt(1)
            writer.writeVarUInt(compact.seq)
            writer.writeDouble(compact.timestamp)
            writer.writeVarUInt(UInt64(compact.replyLength))
        } else {
            writer.writeVarUInt(0)
            writer.writeBytes(reply.reply)
        }
    }

    static func readCachedReplyForm(from reader: inout ByteReader) throws(PersistenceError) -> CachedReply {
        let userId = try reader.readString()
        let requestId = try reader.readString()
        let expiresAt = try reader.readDouble()
        let formOffset = reader.offset
        switch try reader.readVarUInt() {
        case 0:
            return CachedReply(userId: userId, requestId: requestId, reply: try reader.readBytes(), expiresAt: expiresAt)
        case 1:
            let seq = try reader.readVarUInt()
            let timestamp = try reader.readDouble()
            let length = try reader.readVarUInt()
            guard length <= UInt64(Int32.max) else { throw PersistenceError(.corrupt, "reply length \(length)") }
            return CachedReply(
                userId: userId, requestId: requestId, reply: [], expiresAt: expiresAt,
                compact: CompactReply(seq: seq, timestamp: timestamp, replyLength: Int(length)))
        case let form:
            throw PersistenceError(.corrupt, "unknown reply form \(form) at offset \(formOffset)")
        }
    }

    static func write(_ file: StoredFile, into writer: inout ByteWriter) {
        write(file.info, into: &writer)
        writer.writeString(file.uploaderId)
        writer.writeDouble(file.uploadedAt)
        write(file.roomIds, into: &writer)
    }

    static func readStoredFile(from reader: inout ByteReader) throws(PersistenceError) -> StoredFile {
        let info = try readFileInfo(from: &reader)
        let uploaderId = try reader.readString()
        let uploadedAt = try reader.readDouble()
        return StoredFile(info: info, uploaderId: uploaderId, uploadedAt: uploadedAt, roomIds: try readStringSet(from: &reader))
    }
}
