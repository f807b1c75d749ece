import Actors

/// The message loop of a room record, straight between a ``MessageRing``'s compact storage and bytes:
/// a message without rare fields is written from, and read into, the ring without a `ChatMessage` or a
/// string for its content, and its sender is looked up once per distinct sender. The bytes are exactly
/// those of ``MessageCodec/write(_:roomId:into:)``; messages with rare fields take that general path.
extension MessageCodec {
    /// The flags a message may have and still take the fast path.
    static let plainFlags: Flags = [.deleted, .flagged, .senderMember, .memberName]

    /// Writes every message of `ring`, oldest first; `roomId` is the enclosing room's id. With `members`
    /// (the record's member list, by id → number; body version 2), a plain message from a member names
    /// it by number, and omits its name when it is the member's.
    static func writeMessages(
        of ring: MessageRing, roomId: String, members: [String: (number: Int, name: String)]? = nil,
        into writer: inout ByteWriter
    ) {
        ring.forEachStored { stored in
            guard !stored.hasRareFields, stored.roomId == roomId else {
                write(stored.message, roomId: roomId, into: &writer)
                return
            }
            var flags: Flags = []
            if stored.deleted { flags.insert(.deleted) }
            if stored.flagged { flags.insert(.flagged) }
            let member = members?[stored.senderId]
            if member != nil { flags.insert(.senderMember) }
            if let member, member.name == stored.senderName { flags.insert(.memberName) }
            writer.writeVarUInt(stored.seq)
            writer.writeVarUInt(flags.rawValue)
            ValueCodec.write(stored.kind, into: &writer)
            writer.writeDouble(stored.timestamp)
            if let member {
                writer.writeVarUInt(UInt64(member.number))
            } else {
                writer.writeString(stored.senderId)
            }
            if !flags.contains(.memberName) { writer.writeString(stored.senderName) }
            writer.writeUTF8(stored.content)
        }
    }

    /// Distinct senders met while reading one room's messages, by their bytes, so each sender's strings
    /// are made once per room (and shared with the member table) rather than once per message.
    struct SenderCache {
        struct Entry {
            var id: [UInt8]
            var name: [UInt8]
            var number: UInt32
        }

        var entries: [Entry] = []
        /// Entry index by a hash of (id, name), once there are more than a few.
        var byHash: [Int: Int] = [:]

        static func hash(_ id: UnsafeBufferPointer<UInt8>, _ name: UnsafeBufferPointer<UInt8>) -> Int {
            var hasher = Hasher()
            hasher.combine(bytes: UnsafeRawBufferPointer(id))
            hasher.combine(id.count)
            hasher.combine(bytes: UnsafeRawBufferPointer(name))
            return hasher.finalize()
        }

        /// The ring's number for this sender; registers it (sharing the member's strings) when new.
        mutating func number(
            id: UnsafeBufferPointer<UInt8>, name: UnsafeBufferPointer<UInt8>, members: [String: Member],
            ring: inout MessageRing
        ) -> UInt32 {
            var hash = 0
            if entries.count <= 8 {
                for entry in entries where entry.id.elementsEqual(id) && entry.name.elementsEqual(name) {
                    return entry.number
                }
            } else {
                hash = Self.hash(id, name)
                if let index = byHash[hash], entries[index].id.elementsEqual(id), entries[index].name.elementsEqual(name) {
                    return entries[index].number
                }
                for entry in entries where entry.id.elementsEqual(id) && entry.name.elementsEqual(name) {
                    return entry.number
                }
            }
            var senderId = String(decoding: id, as: UTF8.self)
            var senderName = String(decoding: name, as: UTF8.self)
            // Share the member's strings instead of one copy per room ring.
            if let member = members[senderId] {
                senderId = member.userId
                if member.name == senderName { senderName = member.name }
            }
            let number = ring.registerSender(id: senderId, name: senderName)
            entries.append(Entry(id: Array(id), name: Array(name), number: number))
            if entries.count == 9 {
                for (index, entry) in entries.enumerated() {
                    entry.id.withUnsafeBufferPointer { i in
                        entry.name.withUnsafeBufferPointer { n in byHash[Self.hash(i, n)] = index }
                    }
                }
            } else if entries.count > 9 {
                byHash[hash] = entries.count - 1
            }
            return number
        }
    }

    /// Reads one message written by ``writeMessages(of:roomId:into:)`` (or ``write(_:roomId:into:)``)
    /// and appends it to `ring`; returns its seq. Throws, never traps, on damaged bytes; `previousSeq`
    /// guards the ring's increasing order.
    static func readMessage(
        into ring: inout MessageRing, from reader: inout ByteReader, roomId: String, members: [String: Member],
        memberList: [Member], memberSenders: inout [UInt32?], senders: inout SenderCache, previousSeq: UInt64?
    ) throws(PersistenceError) -> UInt64 {
        let start = reader
        let seq = try reader.readVarUInt()
        if let previousSeq, seq <= previousSeq {
            throw PersistenceError(.corrupt, "room \(roomId): message seq \(seq) after \(previousSeq) before offset \(reader.offset)")
        }
        let flagsOffset = reader.offset
        let flags = Flags(rawValue: try reader.readVarUInt())
        guard Flags.known.isSuperset(of: flags) else {
            throw PersistenceError(.corrupt, "unknown message flags \(flags.rawValue) at offset \(flagsOffset)")
        }
        guard plainFlags.isSuperset(of: flags) else {
            reader = start
            var message = try read(from: &reader, roomId: roomId)
            if let member = members[message.senderId] { message.senderId = member.userId }
            ring.append(message)
            return seq
        }
        let kind = try ValueCodec.readMessageKind(from: &reader)
        let timestamp = try reader.readDouble()
        if flags.contains(.senderMember) {
            let numberOffset = reader.offset
            let number = try reader.readVarUInt()
            guard number < UInt64(memberList.count) else {
                throw PersistenceError(.corrupt, "room \(roomId): sender number \(number) of \(memberList.count) members at offset \(numberOffset)")
            }
            let member = memberList[Int(number)]
            let sender: UInt32
            if flags.contains(.memberName) {
                if let known = memberSenders[Int(number)] {
                    sender = known
                } else {
                    sender = ring.registerSender(id: member.userId, name: member.name)
                    memberSenders[Int(number)] = sender
                }
            } else {
                let name = try reader.readString()
                sender = ring.registerSender(id: member.userId, name: name)
            }
            let content = try reader.readUTF8Range()
            reader.withBytes { bytes in
                ring.appendDecoded(
                    seq: seq, timestamp: timestamp, kind: kind, deleted: flags.contains(.deleted),
                    flagged: flags.contains(.flagged), sender: sender, roomId: roomId,
                    content: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[content])))
            }
            return seq
        }
        guard !flags.contains(.memberName) else {
            throw PersistenceError(.corrupt, "room \(roomId): a member's name for a sender who is not one, before offset \(reader.offset)")
        }
        let id = try reader.readUTF8Range()
        let name = try reader.readUTF8Range()
        let content = try reader.readUTF8Range()
        reader.withBytes { bytes in
            let sender = senders.number(
                id: UnsafeBufferPointer(rebasing: bytes[id]), name: UnsafeBufferPointer(rebasing: bytes[name]),
                members: members, ring: &ring)
            ring.appendDecoded(
                seq: seq, timestamp: timestamp, kind: kind, deleted: flags.contains(.deleted),
                flagged: flags.contains(.flagged), sender: sender, roomId: roomId,
                content: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[content])))
        }
        return seq
    }
}
