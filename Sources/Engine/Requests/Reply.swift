import Wire

/// A handler's success: the status word and the fields that go with it.
public struct Reply: Sendable {
    public var status: String
    public var fields: [String: JSONValue]
    /// Fields already written as JSON (large lists built piece by piece, as `sync`'s rooms), after `fields`.
    public var encodedFields: [(name: String, json: [UInt8])] = []

    public init(_ status: String, _ fields: [String: JSONValue] = [:]) {
        self.status = status
        self.fields = fields
    }
}

extension Reply {
    /// The reply with `events_topic`, the room topic a member subscribes to (`--fanout room-topic`), when
    /// there is one.
    func adding(eventsTopic: String?) -> Reply {
        guard let eventsTopic else { return self }
        var reply = self
        reply.fields["events_topic"] = .string(eventsTopic)
        return reply
    }
}
