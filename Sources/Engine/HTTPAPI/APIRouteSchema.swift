import Wire

/// What the OpenAPI document says of one route: its body's fields and its success reply's.
struct APIRouteSchema: Sendable {
    /// One line for the operation.
    let summary: String
    /// The body's fields (JSON Schema per field); `request_id` is added to every route.
    let body: [String: JSONValue]
    /// Fields the body must have.
    let required: [String]
    /// The success statuses the reply may carry.
    let statuses: [String]
    /// The success reply's own fields, besides `request_id`, `topic` and `status`.
    let reply: [String: JSONValue]

    init(
        _ summary: String, body: [String: JSONValue] = [:], required: [String] = [], statuses: [String],
        reply: [String: JSONValue] = [:]
    ) {
        self.summary = summary
        self.body = body
        self.required = required
        self.statuses = statuses
        self.reply = reply
    }
}
