import Foundation
import Wire

/// A chat user as a test sees it, whichever way the engine runs (``EngineMode``): it sends requests
/// under its own token and reads what reached its inbox (`chat/user/{id}/…`), in arrival order.
///
/// Over a broker this is an MQTT client (IntegrationTests' `ChatClient`); in memory, an
/// ``InMemoryUser`` reading the engine's ``PublishLog``.
public protocol TestUser: Sendable {
    var userId: String { get }
    /// Publishes a request (with this user's token unless `withToken` is false, and `request_id` =
    /// `requestId` or a fresh one); returns the request id. Does not wait.
    func send(_ topic: String, _ fields: [String: JSONValue], requestId: String?, withToken: Bool) throws -> String
    /// The first inbox message matching `predicate` (topic, JSON), waiting up to `timeout` seconds.
    func waitFor(timeout: Double, _ what: String, _ predicate: @escaping (String, JSONValue) -> Bool) async throws -> JSONValue
    /// Everything received so far on topics ending in `topicSuffix` (e.g. "/messages").
    func received(on topicSuffix: String) -> [JSONValue]
}

extension TestUser {
    /// Sends a request and waits for its reply.
    public func request(_ topic: String, _ fields: [String: JSONValue] = [:], timeout: Double = 10) async throws -> JSONValue {
        let id = try send(topic, fields, requestId: nil, withToken: true)
        return try await reply(to: id, timeout: timeout)
    }

    /// The reply carrying `requestId`.
    public func reply(to requestId: String, timeout: Double = 10) async throws -> JSONValue {
        try await waitFor(timeout: timeout, "reply to \(requestId)") { topic, json in
            topic.hasSuffix("/responses") && json["request_id"]?.stringValue == requestId
        }
    }

    /// The first event of `type` on the messages topic matching `predicate`.
    public func event(
        _ type: String, timeout: Double = 10, where predicate: @escaping (JSONValue) -> Bool = { _ in true }
    ) async throws -> JSONValue {
        try await waitFor(timeout: timeout, "event \(type)") { topic, json in
            topic.hasSuffix("/messages") && json["type"]?.stringValue == type && predicate(json)
        }
    }

    /// Events of `type` received so far on the messages topic.
    public func events(_ type: String) -> [JSONValue] {
        received(on: "/messages").filter { $0["type"]?.stringValue == type }
    }

    /// Creates a room and returns its id.
    public func createRoom(_ name: String = "room", _ extra: [String: JSONValue] = [:]) async throws -> String {
        var fields = extra
        fields["name"] = .string(name)
        let reply = try await request("chat/rooms/create", fields)
        guard let roomId = reply["room_id"]?.stringValue else { throw HarnessFailure("create failed: \(reply)") }
        return roomId
    }

    /// Creates a room that `others` then join; returns its id.
    public func createRoom(
        _ name: String = "room", _ extra: [String: JSONValue] = [:], joinedBy others: [any TestUser]
    ) async throws -> String {
        let roomId = try await createRoom(name, extra)
        for other in others { try await other.join(roomId) }
        return roomId
    }

    /// Joins a room; throws unless the reply is `joined` or `already_member`.
    public func join(_ roomId: String) async throws {
        let reply = try await request("chat/rooms/join/\(roomId)")
        guard reply.status == "joined" || reply.status == "already_member" else {
            throw HarnessFailure("\(userId)'s join of \(roomId) failed: \(reply)")
        }
    }

    /// Sends a room message and returns the reply.
    public func say(_ roomId: String, _ content: String, _ extra: [String: JSONValue] = [:]) async throws -> JSONValue {
        var fields = extra
        fields["content"] = .string(content)
        return try await request("chat/message/\(roomId)", fields)
    }
}

extension JSONValue {
    /// The `status` of a reply.
    public var status: String? { self["status"]?.stringValue }
    /// The `error.code` of an error reply.
    public var errorCode: String? { self["error"]?["code"]?.stringValue }
}

/// A harness precondition that failed outside an expectation (a timeout, a refused setup step).
public struct HarnessFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
