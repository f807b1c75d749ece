import Wire

/// JSON Schema (2020-12, as OpenAPI 3.1 uses it) builders for the API's route schemas.
enum APISchema {
    static func string(min: Int? = nil, max: Int? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "string"]
        if let min { schema["minLength"] = .number(Double(min)) }
        if let max { schema["maxLength"] = .number(Double(max)) }
        return .object(schema)
    }

    static func integer(min: Int? = nil, max: Int? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "integer"]
        if let min { schema["minimum"] = .number(Double(min)) }
        if let max { schema["maximum"] = .number(Double(max)) }
        return .object(schema)
    }

    static let number: JSONValue = ["type": "number"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let anyObject: JSONValue = ["type": "object"]

    static func oneOf(_ values: [String]) -> JSONValue {
        ["type": "string", "enum": .array(values.map(JSONValue.string))]
    }

    static func array(_ items: JSONValue) -> JSONValue {
        ["type": "array", "items": items]
    }

    static func nullable(_ schema: JSONValue) -> JSONValue {
        ["anyOf": [schema, ["type": "null"]]]
    }

    static func object(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        return .object(schema)
    }

    static func reference(_ component: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(component)")]
    }

    // MARK: Shared shapes

    /// A message object (SPEC §4); keys without a value are `null`.
    static let message = object([
        "id": string(), "room_id": string(), "seq": integer(min: 0), "sender_id": string(), "sender_name": string(),
        "content": string(), "type": string(), "timestamp": number, "reply_to": nullable(string()),
        "thread_id": nullable(string()), "reactions": anyObject, "edited": boolean, "deleted": boolean,
        "flagged": boolean,
    ], required: ["id", "room_id", "seq"])

    static let messages = array(reference("Message"))

    /// A room's data as `rooms/create` and `rooms/{room_id}/info` give it.
    static let room = object([
        "id": string(), "name": string(), "description": string(), "type": string(), "creator_id": string(),
        "created_at": number, "max_members": integer(min: 0), "member_count": integer(min: 0), "last_activity": number,
        "locked": boolean, "slow_mode_seconds": integer(min: 0), "archived": boolean,
    ], required: ["id", "name", "type"])
}
