import Testing
import Wire

extension ChatClient {
    /// Creates a room and returns its id.
    func createRoom(_ name: String = "room", _ extra: [String: JSONValue] = [:]) async throws -> String {
        var fields = extra
        fields["name"] = .string(name)
        let reply = try await request("chat/rooms/create", fields)
        return try #require(reply["room_id"]?.stringValue, "create failed: \(reply)")
    }

    /// Creates a room that `others` then join; returns its id.
    func createRoom(_ name: String = "room", _ extra: [String: JSONValue] = [:], joinedBy others: [ChatClient]) async throws -> String {
        let roomId = try await createRoom(name, extra)
        for other in others { try await other.join(roomId) }
        return roomId
    }

    /// Joins a room, expecting success.
    func join(_ roomId: String) async throws {
        let reply = try await request("chat/rooms/join/\(roomId)")
        #expect(reply.status == "joined" || reply.status == "already_member", "join failed: \(reply)")
    }

    /// Sends a room message and returns the reply.
    func say(_ roomId: String, _ content: String, _ extra: [String: JSONValue] = [:]) async throws -> JSONValue {
        var fields = extra
        fields["content"] = .string(content)
        return try await request("chat/message/\(roomId)", fields)
    }

    /// Events of `type` received so far.
    func events(_ type: String) -> [JSONValue] {
        received(on: "/messages").filter { $0["type"]?.stringValue == type }
    }
}
