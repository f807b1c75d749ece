import Wire

/// A handler's success: the status word and the fields that go with it.
public struct Reply: Sendable {
    public var status: String
    public var fields: [String: JSONValue]

    public init(_ status: String, _ fields: [String: JSONValue] = [:]) {
        self.status = status
        self.fields = fields
    }
}
