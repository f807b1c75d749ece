/// A room's timeline: the newest `capacity` messages in `seq` order; older ones are evicted.
///
/// Seqs in the ring are strictly increasing but may have gaps (cleanup removes messages), so lookups by
/// seq binary-search the ring instead of computing an offset.
///
/// Memory layout: a million messages live in rings, so a ring does not hold `ChatMessage` values. Each
/// message is a 40-byte ``Slot`` (seq, timestamp, where its content lies, its sender's number, kind and
/// flags, and the rare fields' box); contents are UTF-8 bytes back to back in one buffer per ring, and
/// each distinct (sender id, sender name) pair is stored once per ring. Reading a position builds the
/// `ChatMessage` (its content string is the only allocation); value semantics and `==` (by content)
/// are those of an array of messages. Measured in docs/BENCHMARKS.md §1.
public struct MessageRing: Sendable {
    public let capacity: Int
    /// Physical ring of slots: `slots[head]` is the oldest once the ring has wrapped.
    private var slots: [Slot] = []
    private var head = 0
    /// Contents, UTF-8, in no particular order; `garbage` of its bytes belong to no slot any more.
    private var text: [UInt8] = []
    private var garbage = 0
    /// Distinct (id, name) pairs of the senders of stored messages (and of some evicted ones, until the
    /// next compaction).
    private var senders: [Sender] = []
    /// Index of `senders`, built once there are more than a handful.
    private var senderIndex: [Sender: UInt32] = [:]
    /// The room id of the stored messages; one that differs is kept in `foreignRoomIds` (never, in practice).
    private var roomId = ""
    private var foreignRoomIds: [UInt64: String] = [:]

    /// One stored message without its strings.
    struct Slot {
        var seq: UInt64
        var timestamp: Double
        var offset: UInt32
        var length: UInt32
        var sender: UInt32
        /// Kind in bits 0–1, `deleted` bit 2, `flagged` bit 3.
        var bits: UInt8
        var extras: ChatMessage.ExtrasBox?

        var kind: MessageKind { MessageRing.kinds[Int(bits & 3)] }
        var deleted: Bool { bits & 4 != 0 }
        var flagged: Bool { bits & 8 != 0 }
    }

    struct Sender: Hashable {
        var id: String
        var name: String
    }

    static let kinds: [MessageKind] = [.text, .image, .file, .system]

    static func bits(kind: MessageKind, deleted: Bool, flagged: Bool) -> UInt8 {
        let code: UInt8 = switch kind {
        case .text: 0
        case .image: 1
        case .file: 2
        case .system: 3
        }
        return code | (deleted ? 4 : 0) | (flagged ? 8 : 0)
    }

    public init(capacity: Int = 1000) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    public var count: Int { slots.count }
    public var isEmpty: Bool { slots.isEmpty }

    /// The message at logical position `i` (0 = oldest).
    public subscript(position: Int) -> ChatMessage {
        get { message(slots[physical(position)]) }
        set {
            let index = physical(position)
            let old = slots[index]
            if old.seq != newValue.seq { forgetRoomId(of: old.seq) }
            let slot = store(newValue, replacing: old)
            slots[index] = slot
        }
    }

    public var last: ChatMessage? { isEmpty ? nil : self[count - 1] }
    public var first: ChatMessage? { isEmpty ? nil : self[0] }

    /// The seq of the message at logical position `i`, without building the message.
    public func seq(at position: Int) -> UInt64 { slots[physical(position)].seq }

    /// What unread counts and answer checks need of the message at `position`, without building it.
    public func header(at position: Int) -> (seq: UInt64, senderId: String, kind: MessageKind, deleted: Bool) {
        let slot = slots[physical(position)]
        return (slot.seq, senders[Int(slot.sender)].id, slot.kind, slot.deleted)
    }

    /// Appends a message whose seq is above every stored one; returns the evicted oldest message, if any.
    @discardableResult
    public mutating func append(_ message: ChatMessage) -> ChatMessage? {
        append(message, returningEvicted: true)
    }

    /// ``append(_:)`` without building the evicted message (posting into a full ring does this).
    mutating func append(_ message: ChatMessage, returningEvicted: Bool) -> ChatMessage? {
        precondition(isEmpty || seq(at: count - 1) < message.seq, "seq must increase")
        if slots.isEmpty {
            roomId = message.roomId
            foreignRoomIds = [:]
        }
        if slots.count < capacity {
            let slot = store(message, replacing: nil)
            slots.append(slot)
            return nil
        }
        let old = slots[head]
        let evicted = returningEvicted ? self.message(old) : nil
        forgetRoomId(of: old.seq)
        let slot = store(message, replacing: old)
        slots[head] = slot
        head = (head + 1) % capacity
        return evicted
    }

    // MARK: For codecs

    /// Appends a decoded message without rare fields whose content is `content` (valid UTF-8), without
    /// making a string of it, from a sender numbered by ``registerSender(id:name:)``. Restores use this;
    /// the ring must not be full.
    public mutating func appendDecoded(
        seq: UInt64, timestamp: Double, kind: MessageKind, deleted: Bool, flagged: Bool, sender: UInt32,
        roomId messageRoomId: String, content: UnsafeRawBufferPointer
    ) {
        precondition(isEmpty || self.seq(at: count - 1) < seq, "seq must increase")
        precondition(slots.count < capacity, "decoded more messages than the ring holds")
        precondition(Int(sender) < senders.count, "unregistered sender")
        if slots.isEmpty { roomId = messageRoomId }
        if messageRoomId != roomId { foreignRoomIds[seq] = messageRoomId }
        let offset = appendText(content)
        slots.append(Slot(
            seq: seq, timestamp: timestamp, offset: offset, length: UInt32(content.count), sender: sender,
            bits: Self.bits(kind: kind, deleted: deleted, flagged: flagged), extras: nil))
    }

    /// Sizes the buffers for `messages` messages with `contentBytes` of contents in all (restores).
    public mutating func reserve(messages: Int, contentBytes: Int) {
        slots.reserveCapacity(Swift.min(messages, capacity))
        text.reserveCapacity(contentBytes)
    }

    /// Gives back what a generous ``reserve(messages:contentBytes:)`` left unused, keeping an eighth spare.
    public mutating func shrinkToFit() {
        guard text.capacity > text.count + text.count / 4 + 256 else { return }
        var fitted: [UInt8] = []
        fitted.reserveCapacity(text.count + text.count / 8 + 64)
        fitted.append(contentsOf: text)
        text = fitted
    }

    /// One stored message as a codec sees it; `content` is valid only during the call that hands it out.
    public struct StoredView {
        public let seq: UInt64
        public let timestamp: Double
        public let kind: MessageKind
        public let deleted: Bool
        public let flagged: Bool
        public let roomId: String
        public let senderId: String
        public let senderName: String
        /// The content's UTF-8 bytes.
        public let content: UnsafeBufferPointer<UInt8>
        let extras: ChatMessage.ExtrasBox?

        /// Whether any of the rarely set fields (reply, thread, reactions, edit, file, recipient, custom
        /// id) is set: then ``message`` holds them.
        public var hasRareFields: Bool { extras != nil }

        /// The whole message.
        public var message: ChatMessage {
            ChatMessage(
                roomId: roomId, seq: seq, senderId: senderId, senderName: senderName,
                content: String(decoding: content, as: UTF8.self), kind: kind, timestamp: timestamp, deleted: deleted,
                flagged: flagged, extras: extras)
        }
    }

    /// Calls `body` with each stored message, oldest first, without building strings for the contents.
    public func forEachStored(_ body: (StoredView) throws -> Void) rethrows {
        try text.withUnsafeBufferPointer { bytes in
            for position in 0..<count {
                let slot = slots[physical(position)]
                let sender = senders[Int(slot.sender)]
                try body(StoredView(
                    seq: slot.seq, timestamp: slot.timestamp, kind: slot.kind, deleted: slot.deleted, flagged: slot.flagged,
                    roomId: roomId(of: slot.seq), senderId: sender.id, senderName: sender.name,
                    content: UnsafeBufferPointer(rebasing: bytes[Int(slot.offset)..<Int(slot.offset) + Int(slot.length)]),
                    extras: slot.extras))
            }
        }
    }

    /// The number of the sender (id, name) for ``appendDecoded``, registering it when it is new.
    public mutating func registerSender(id: String, name: String) -> UInt32 {
        let sender = Sender(id: id, name: name)
        // Evicted senders leave with compactions; contents too short to trigger one must not let them pile up.
        if senders.count >= 2 * capacity + 16 && senderIndex[sender] == nil { compact(extra: 0) }
        if senders.count <= 8 && senderIndex.isEmpty {
            for (index, known) in senders.enumerated() where known == sender { return UInt32(index) }
            senders.append(sender)
            if senders.count > 8 { rebuildSenderIndex() }
            return UInt32(senders.count - 1)
        }
        if let index = senderIndex[sender] { return index }
        senders.append(sender)
        let index = UInt32(senders.count - 1)
        senderIndex[sender] = index
        return index
    }

    /// Position of the message with this seq, or nil when it is not (or no longer) stored.
    public func position(ofSeq seq: UInt64) -> Int? {
        var low = 0
        var high = count - 1
        while low <= high {
            let mid = (low + high) / 2
            let value = self.seq(at: mid)
            if value == seq { return mid }
            if value < seq { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// Number of stored messages with seq below `seq`: the position where such a seq would be inserted.
    public func lowerBound(seq: UInt64) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if self.seq(at: mid) < seq { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Keeps only the messages for which `shouldRemove` is false, preserving order.
    public mutating func removeAll(where shouldRemove: (ChatMessage) -> Bool) {
        let kept = Array(self).filter { !shouldRemove($0) }
        slots = []
        head = 0
        text = []
        garbage = 0
        senders = []
        senderIndex = [:]
        foreignRoomIds = [:]
        slots.reserveCapacity(kept.count)
        text.reserveCapacity(kept.reduce(0) { $0 + $1.content.utf8.count })
        for message in kept { append(message) }
    }

    /// Bytes of the content buffer, spare capacity included.
    var contentBufferBytes: Int { text.capacity }

    /// Entries of the sender table.
    var senderCount: Int { senders.count }

    // MARK: Storage

    private func physical(_ position: Int) -> Int {
        precondition(position >= 0 && position < slots.count, "ring position out of range")
        let index = head + position
        return index < slots.count ? index : index - slots.count
    }

    private func roomId(of seq: UInt64) -> String {
        foreignRoomIds.isEmpty ? roomId : foreignRoomIds[seq] ?? roomId
    }

    private mutating func forgetRoomId(of seq: UInt64) {
        if !foreignRoomIds.isEmpty { foreignRoomIds[seq] = nil }
    }

    private func message(_ slot: Slot) -> ChatMessage {
        let sender = senders[Int(slot.sender)]
        let content = text.withUnsafeBufferPointer { bytes in
            String(decoding: bytes[Int(slot.offset)..<Int(slot.offset) + Int(slot.length)], as: UTF8.self)
        }
        return ChatMessage(
            roomId: roomId(of: slot.seq), seq: slot.seq, senderId: sender.id, senderName: sender.name, content: content,
            kind: slot.kind, timestamp: slot.timestamp, deleted: slot.deleted, flagged: slot.flagged, extras: slot.extras)
    }

    /// The slot for `message`, its content in the buffer (reusing `old`'s bytes when they are the same).
    private mutating func store(_ message: ChatMessage, replacing old: Slot?) -> Slot {
        if message.roomId != roomId { foreignRoomIds[message.seq] = message.roomId }
        var content = message.content
        var offset: UInt32 = 0
        var length: UInt32 = 0
        content.withUTF8 { utf8 in
            if let old, Int(old.length) == utf8.count,
               text.withUnsafeBufferPointer({ $0[Int(old.offset)..<Int(old.offset) + utf8.count].elementsEqual(utf8) }) {
                offset = old.offset
                length = old.length
                return
            }
            offset = appendText(UnsafeRawBufferPointer(utf8))
            length = UInt32(utf8.count)
            // After appending: a compaction on the way still counted the replaced bytes as live.
            if let old { garbage += Int(old.length) }
        }
        return Slot(
            seq: message.seq, timestamp: message.timestamp, offset: offset, length: length,
            sender: registerSender(id: message.senderId, name: message.senderName),
            bits: Self.bits(kind: message.kind, deleted: message.deleted, flagged: message.flagged),
            extras: message.extras)
    }

    /// Appends content bytes, compacting the buffer when it is full and an eighth or more of it is garbage,
    /// else growing it by an eighth; returns their offset. So the buffer stays within ~1.3× the live
    /// contents (an eighth spare, up to an eighth garbage), and a full ring copies its contents once per
    /// eighth of them posted.
    private mutating func appendText(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        if text.count + bytes.count > text.capacity {
            let live = text.count - garbage
            if garbage > 0 && garbage >= live / 8 {
                compact(extra: bytes.count)
            } else {
                text.reserveCapacity(Swift.max(text.count + bytes.count, text.count + text.count / 8 + 64))
            }
        }
        precondition(text.count + bytes.count <= Int(UInt32.max), "a ring's contents exceed 4 GiB")
        let offset = UInt32(text.count)
        text.append(contentsOf: bytes)
        return offset
    }

    /// Copies the live contents into a new buffer (an eighth spare plus `extra`) and drops unused senders.
    private mutating func compact(extra: Int) {
        let live = text.count - garbage
        var newText: [UInt8] = []
        newText.reserveCapacity(live + live / 8 + extra + 64)
        var newSenders: [Sender] = []
        var renumber = [UInt32](repeating: .max, count: senders.count)
        for index in slots.indices {
            let slot = slots[index]
            newText.append(contentsOf: text[Int(slot.offset)..<Int(slot.offset) + Int(slot.length)])
            slots[index].offset = UInt32(newText.count - Int(slot.length))
            if renumber[Int(slot.sender)] == .max {
                renumber[Int(slot.sender)] = UInt32(newSenders.count)
                newSenders.append(senders[Int(slot.sender)])
            }
            slots[index].sender = renumber[Int(slot.sender)]
        }
        text = newText
        garbage = 0
        senders = newSenders
        rebuildSenderIndex()
    }

    private mutating func rebuildSenderIndex() {
        senderIndex = [:]
        guard senders.count > 8 else { return }
        senderIndex.reserveCapacity(senders.count)
        for (index, sender) in senders.enumerated() { senderIndex[sender] = UInt32(index) }
    }
}

extension MessageRing: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
}

extension MessageRing: Equatable {
    /// Same capacity and the same messages in the same order (however they are laid out).
    public static func == (lhs: MessageRing, rhs: MessageRing) -> Bool {
        lhs.capacity == rhs.capacity && lhs.count == rhs.count && lhs.elementsEqual(rhs)
    }
}
