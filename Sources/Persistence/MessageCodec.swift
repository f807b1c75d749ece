import Actors

/// Binary encoding of a ``ChatMessage``: the hot loop of every snapshot (up to a million per restore).
///
/// Layout: `seq` varint, a `flags` varint saying which optional parts follow, `kind` byte,
/// `timestamp` Double, `senderId`, `senderName`, `content`, then only the parts the flags announce,
/// in bit order. Absent optionals, empty reactions and a zero reply count cost nothing, and the room
/// id and message id are omitted when they are the usual ones (the enclosing room's id, and
/// `<room id>:<seq>`), which saves ~25 bytes a message and two string decodes.
enum MessageCodec {
    /// Bits of the flags varint.
    struct Flags: OptionSet {
        let rawValue: UInt64
        static let replyTo = Flags(rawValue: 1 << 0)
        static let threadId = Flags(rawValue: 1 << 1)
        static let editedAt = Flags(rawValue: 1 << 2)
        static let deleted = Flags(rawValue: 1 << 3)
        static let flagged = Flags(rawValue: 1 << 4)
        static let file = Flags(rawValue: 1 << 5)
        static let targetId = Flags(rawValue: 1 << 6)
        static let reactions = Flags(rawValue: 1 << 7)
        static let replyCount = Flags(rawValue: 1 << 8)
        /// `roomId` differs from the enclosing room's id, so it is written out.
        static let foreignRoomId = Flags(rawValue: 1 << 9)
        /// `id` is not `<roomId>:<seq>`, so it is written out.
        static let customId = Flags(rawValue: 1 << 10)
        /// Body version 2: the sender is a member of the room, written as its number in the record's member
        /// list (a varint) instead of its id.
        static let senderMember = Flags(rawValue: 1 << 11)
        /// Body version 2, with `senderMember`: the sender name is that member's name, so it is not written.
        static let memberName = Flags(rawValue: 1 << 12)
        /// Every bit this version knows; any other bit means a newer writer or damage.
        static let known = Flags(rawValue: (1 << 13) - 1)
    }

    /// Writes `message`; `roomId` is the enclosing room's id (omitted from the bytes when equal).
    static func write(_ message: ChatMessage, roomId: String, into writer: inout ByteWriter) {
        var flags: Flags = []
        if message.replyTo != nil { flags.insert(.replyTo) }
        if message.threadId != nil { flags.insert(.threadId) }
        if message.editedAt != nil { flags.insert(.editedAt) }
        if message.deleted { flags.insert(.deleted) }
        if message.flagged { flags.insert(.flagged) }
        if message.file != nil { flags.insert(.file) }
        if message.targetId != nil { flags.insert(.targetId) }
        if !message.reactions.isEmpty { flags.insert(.reactions) }
        if message.replyCount != 0 { flags.insert(.replyCount) }
        if message.roomId != roomId { flags.insert(.foreignRoomId) }
        if message.id != ChatMessage.id(roomId: message.roomId, seq: message.seq) { flags.insert(.customId) }

        writer.writeVarUInt(message.seq)
        writer.writeVarUInt(flags.rawValue)
        ValueCodec.write(message.kind, into: &writer)
        writer.writeDouble(message.timestamp)
        writer.writeString(message.senderId)
        writer.writeString(message.senderName)
        writer.writeString(message.content)
        if let replyTo = message.replyTo { writer.writeString(replyTo) }
        if let threadId = message.threadId { writer.writeString(threadId) }
        if let editedAt = message.editedAt { writer.writeDouble(editedAt) }
        if let file = message.file { ValueCodec.write(file, into: &writer) }
        if let targetId = message.targetId { writer.writeString(targetId) }
        if !message.reactions.isEmpty {
            writer.writeVarUInt(UInt64(message.reactions.count))
            for reaction in message.reactions {
                writer.writeString(reaction.emoji)
                writer.writeVarUInt(UInt64(reaction.userIds.count))
                for user in reaction.userIds { writer.writeString(user) }
            }
        }
        if message.replyCount != 0 { ValueCodec.writeInt(message.replyCount, into: &writer) }
        if flags.contains(.foreignRoomId) { writer.writeString(message.roomId) }
        if flags.contains(.customId) { writer.writeString(message.id) }
    }

    /// Reads a message written by ``write(_:roomId:into:)`` with the same enclosing `roomId`.
    static func read(from reader: inout ByteReader, roomId: String) throws(PersistenceError) -> ChatMessage {
        let seq = try reader.readVarUInt()
        let flagsOffset = reader.offset
        let flags = Flags(rawValue: try reader.readVarUInt())
        guard Flags.known.isSuperset(of: flags), !flags.contains(.senderMember), !flags.contains(.memberName) else {
            // Member-numbered senders are only written, and read, by the ring's loop (MessageCodec+Ring).
            throw PersistenceError(.corrupt, "unknown message flags \(flags.rawValue) at offset \(flagsOffset)")
        }
        let kind = try ValueCodec.readMessageKind(from: &reader)
        let timestamp = try reader.readDouble()
        let senderId = try reader.readString()
        let senderName = try reader.readString()
        let content = try reader.readString()
        let replyTo = flags.contains(.replyTo) ? try reader.readString() : nil
        let threadId = flags.contains(.threadId) ? try reader.readString() : nil
        let editedAt = flags.contains(.editedAt) ? try reader.readDouble() : nil
        let file = flags.contains(.file) ? try ValueCodec.readFileInfo(from: &reader) : nil
        let targetId = flags.contains(.targetId) ? try reader.readString() : nil
        var reactions: [Reaction] = []
        if flags.contains(.reactions) {
            let count = try reader.readLength()
            reactions.reserveCapacity(count)
            for _ in 0..<count {
                let emoji = try reader.readString()
                let userCount = try reader.readLength()
                var users: [String] = []
                users.reserveCapacity(userCount)
                for _ in 0..<userCount { users.append(try reader.readString()) }
                reactions.append(Reaction(emoji: emoji, userIds: users))
            }
        }
        let replyCount = flags.contains(.replyCount) ? try ValueCodec.readInt(from: &reader) : 0
        let messageRoomId = flags.contains(.foreignRoomId) ? try reader.readString() : roomId
        var message = ChatMessage(
            roomId: messageRoomId, seq: seq, senderId: senderId, senderName: senderName, content: content,
            kind: kind, timestamp: timestamp, replyTo: replyTo, threadId: threadId, replyCount: replyCount,
            reactions: reactions, editedAt: editedAt, deleted: flags.contains(.deleted),
            flagged: flags.contains(.flagged), file: file, targetId: targetId)
        if flags.contains(.customId) { message.id = try reader.readString() }
        return message
    }
}
