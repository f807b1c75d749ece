@testable import Engine
import Foundation
import Logging
import Prometheus
import Testing
import Wire

/// SPEC §11: `POST /api/v1/{route}` goes through the same pipeline as MQTT, read here by a raw HTTP
/// client: the same replies, one de-duplication for both transports, the status codes of the contract.
@Suite(.timeLimit(.minutes(3)))
struct HTTPAPITests {
    @Test func everyRouteFamilyAnswersOverHTTPAsOverMQTT() async throws {
        try await withAPI(gateway: true) { harness, api in
            let alice = try await harness.user("alice", admin: true)
            let bob = try await harness.user("bob")
            let http = api.as(alice)
            var compared = 0
            /// The same request over both transports: the same status and fields (values that name what
            /// each created differ); with `exactly`, the same reply to the byte (reads, with one request id).
            func both(_ mqttRoute: String, _ httpRoute: String? = nil, _ fields: [String: JSONValue] = [:], as user: ChatClient? = nil,
                      exactly: Bool = false, failing: Bool = false) async throws -> (mqtt: JSONValue, http: JSONValue) {
                let user = user ?? alice
                let requestId = "both-\(UUID().uuidString.prefix(8))"
                let id = try user.send("chat/" + mqttRoute, fields, requestId: requestId)
                let overMQTT = try await user.reply(to: id)
                var body = fields
                if exactly { body["request_id"] = .string(requestId) }
                let response = try await api.as(user).post(httpRoute ?? mqttRoute, body)
                let overHTTP = response.json
                #expect(response.status == (overHTTP.status == "error" ? response.status : 200))
                #expect((overMQTT.status == "error") == failing, "\(mqttRoute): \(overMQTT)")
                #expect(overHTTP.status == overMQTT.status, "\(mqttRoute): \(overHTTP) vs \(overMQTT)")
                #expect(overHTTP.keys == overMQTT.keys, "\(mqttRoute): \(overHTTP) vs \(overMQTT)")
                if exactly { #expect(overHTTP == overMQTT, "\(mqttRoute)") }
                compared += 1
                return (overMQTT, overHTTP)
            }
            // Rooms
            let created = try await both("rooms/create", nil, ["name": "general", "type": "private"])
            let (r1, r2) = (created.mqtt["room_id"]!.stringValue!, created.http["room_id"]!.stringValue!)
            for room in [r1, r2] { #expect(try await alice.request("chat/rooms/invite/\(room)", ["user_id": "bob"]).status == "invited") }
            _ = try await both("rooms/join/\(r1)", "rooms/join/\(r2)", as: bob)
            _ = try await both("rooms/list", nil, ["scope": "mine"], exactly: true)
            _ = try await both("rooms/\(r1)/info", nil, exactly: true)
            // Messages
            let sent = try await both("message/\(r1)", "message/\(r2)", ["content": "hello"])
            let (m1, m2) = (sent.mqtt["message_id"]!.stringValue!, sent.http["message_id"]!.stringValue!)
            _ = try await both("message/\(m1)/edit", "message/\(m2)/edit", ["content": "hello again"])
            _ = try await both("message/\(m1)/react", "message/\(m2)/react", ["emoji": "👍"])
            _ = try await both("message/\(m1)/reply", "message/\(m2)/reply", ["content": "in a thread"])
            _ = try await both("private/bob", nil, ["content": "psst"])
            _ = try await both("broadcast", nil, ["content": "maintenance at noon"])
            _ = try await both("history/\(r1)", nil, ["limit": 10], exactly: true)
            _ = try await both("search/\(r1)", nil, ["query": "hello"], exactly: true)
            _ = try await both("search", nil, ["query": "hello"], exactly: true)
            _ = try await both("read/\(r1)", "read/\(r2)", ["seq": 2])
            // Presence and typing
            _ = try await both("presence/online", nil, ["device": "phone"])
            _ = try await both("presence/away", nil, ["device": "phone"])
            _ = try await both("typing/\(r1)/start", "typing/\(r2)/start")
            _ = try await both("typing/\(r1)/stop", "typing/\(r2)/stop")
            // Files
            let data = Data("a small file".utf8).base64EncodedString()
            let uploaded = try await both(
                "file/upload/\(r1)", "file/upload/\(r2)", ["name": "notes.txt", "mime": "text/plain", "data": .string(data)])
            let fileId = uploaded.mqtt["file_id"]!.stringValue!
            _ = try await both("file/share/\(r1)", "file/share/\(r2)", ["file_id": .string(fileId)])
            _ = try await both("file/get/\(fileId)", nil, exactly: true)
            // Sync and blocks
            _ = try await both("sync", nil, ["limit_per_room": 5])
            _ = try await both("users/block/carol", nil)
            _ = try await both("users/blocked", nil, exactly: true)
            // Admin
            _ = try await both("admin/rooms/\(r1)/moderate", "admin/rooms/\(r2)/moderate", ["action": "slow_mode", "seconds": 0])
            _ = try await both("admin/users/bob/mute", nil, ["room_id": .string(r1), "duration_seconds": 60])
            _ = try await both("rooms/leave/\(r1)", "rooms/leave/\(r2)", as: bob)
            _ = try await both("admin/users/bob/ban", nil, ["room_id": .string(r1)])
            _ = try await both("admin/messages/cleanup", nil, ["older_than_seconds": 86400])
            _ = try await both("message/\(m1)/delete", "message/\(m2)/delete")
            _ = try await both("presence/offline", nil, ["device": "phone"])
            // An error is the same error on both.
            _ = try await both("rooms/join/no-such-room", nil, as: bob, exactly: true, failing: true)
            #expect(compared == 32)
            #expect(try await http.post("rooms/list").status == 200)
        }
    }

    @Test func eachErrorCodeHasItsStatus() async throws {
        try await withAPI({ $0.rateLimit = 5 }) { harness, api in
            let alice = try await harness.user("alice")
            let bob = try await harness.user("bob")
            let http = api.as(alice), asBob = api.as(bob)
            let roomId = try await alice.createRoom("private", ["type": "private"])

            let ok = try await http.post("rooms/\(roomId)/info")
            #expect(ok.status == 200 && ok.json.status == "success")
            #expect(ok.headers["content-type"] == "application/json")
            // 400: not a JSON object; a field out of bounds.
            let garbage = try await http.send("POST", "/api/v1/rooms/list", body: Array("not json".utf8))
            #expect(garbage.status == 400 && garbage.json.errorCode == "invalid_payload")
            let invalid = try await http.post("message/\(roomId)", ["content": "   "])
            #expect(invalid.status == 400 && invalid.json.errorCode == "validation_failed")
            // 403: not a member of the private room; a member who may not (not an admin).
            let notMember = try await asBob.post("history/\(roomId)")
            #expect(notMember.status == 403 && notMember.json.errorCode == "not_member")
            let forbidden = try await asBob.post("broadcast", ["content": "hi"])
            #expect(forbidden.status == 403 && forbidden.json.errorCode == "forbidden")
            // 404: no such room; no such route.
            let missing = try await asBob.post("rooms/join/nowhere")
            #expect(missing.status == 404 && missing.json.errorCode == "not_found")
            let unknown = try await asBob.post("no/such/route")
            #expect(unknown.status == 404 && unknown.json.errorCode == "unknown_route")
            #expect(unknown.json["topic"]?.stringValue == "chat/no/such/route")
            // 409: the last admin cannot demote themselves.
            let conflict = try await http.post("admin/rooms/\(roomId)/moderate", ["action": "demote", "user_id": "alice"])
            #expect(conflict.status == 409 && conflict.json.errorCode == "conflict")
            // 429 with Retry-After, once alice has used her 5 requests a minute.
            var limited = try await http.post("rooms/list", ["request_id": "over-the-limit"])
            for _ in 0..<5 where limited.status == 200 { limited = try await http.post("rooms/list", ["request_id": "over-the-limit"]) }
            #expect(limited.status == 429 && limited.json.errorCode == "rate_limited", "\(limited.text)")
            #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 >= 1)
            #expect(limited.json["request_id"]?.stringValue == "over-the-limit")
            // Answered every time, past the throttle MQTT's refusals without request id get.
            for _ in 0..<3 { #expect(try await http.post("rooms/list").status == 429) }
        }
    }

    @Test func aMissingOrInvalidTokenIs401WithWWWAuthenticate() async throws {
        try await withAPI { harness, api in
            let alice = try await harness.user("alice")
            let missing = try await api.post("rooms/list", ["request_id": "r1"])
            #expect(missing.status == 401 && missing.json.errorCode == "unauthorized")
            #expect(missing.headers["www-authenticate"] == "Bearer")
            #expect(missing.json["request_id"]?.stringValue == "r1")
            var forged = api
            forged.token = "forged.token.here"
            #expect(try await forged.post("rooms/list").status == 401)
            let expired = try TokenSigner(secret: EngineHarness.secret).sign(
                TokenClaims(sub: "alice", exp: Date().timeIntervalSince1970 - 10))
            var late = api
            late.token = expired
            let refused = try await late.post("rooms/list")
            #expect(refused.status == 401 && refused.headers["www-authenticate"] == "Bearer")
            // Another engine's secret.
            var other = api
            other.token = try TokenSigner(secret: String(repeating: "o", count: 40)).sign(
                TokenClaims(sub: "alice", exp: Date().timeIntervalSince1970 + 60))
            #expect(try await other.post("rooms/list").status == 401)
            #expect(try await api.as(alice).post("rooms/list").status == 200)
        }
    }

    @Test func anOversizedBodyIs413BeforeItIsRead() async throws {
        try await withAPI { harness, api in
            let alice = try await harness.user("alice")
            let roomId = try await alice.createRoom("big")
            let http = api.as(alice)
            // Declared too large: refused on the header alone (only a little of it is ever sent).
            let declared = try await http.send(
                "POST", "/api/v1/message/\(roomId)", body: Array(repeating: UInt8(ascii: " "), count: 1024),
                declaredLength: 10 * 1024 * 1024, headers: ["Idempotency-Key: big-1"])
            #expect(declared.status == 413 && declared.json.errorCode == "too_large")
            #expect(declared.json["request_id"]?.stringValue == "big-1")
            // Sent in full: over the 64 KiB payload limit.
            let content = String(repeating: "x", count: 70 * 1024)
            let sent = try await http.post("message/\(roomId)", ["content": .string(content)])
            #expect(sent.status == 413 && sent.json.errorCode == "too_large")
            // Uploads take more (a whole 1 MiB chunk, in base64), as over MQTT.
            let chunk = Data(repeating: 7, count: 1024 * 1024).base64EncodedString()
            let upload = try await http.post("file/upload/\(roomId)", ["name": "a.bin", "mime": "application/octet-stream", "data": .string(chunk)])
            #expect(upload.status == 200 && upload.json.status == "file_uploaded", "\(upload.text.prefix(300))")
            #expect(try await http.post("rooms/list").status == 200)
        }
    }

    @Test func aRequestOverHTTPRetriedOverMQTTIsAppliedOnceAndTheReverse() async throws {
        try await withAPI { harness, api in
            let alice = try await harness.user("alice")
            let roomId = try await alice.createRoom("once")
            let http = api.as(alice)
            // HTTP first, then MQTT with the same request id: the MQTT reply is the HTTP body, to the byte.
            let first = try await http.post("message/\(roomId)", ["content": "one", "request_id": "dup-1"])
            #expect(first.status == 200)
            let retried = try await alice.reply(to: try alice.send("chat/message/\(roomId)", ["content": "one"], requestId: "dup-1"))
            #expect(retried == first.json)
            // MQTT first, then HTTP.
            let overMQTT = try await alice.reply(to: try alice.send("chat/message/\(roomId)", ["content": "two"], requestId: "dup-2"))
            let overHTTP = try await http.post("message/\(roomId)", ["content": "two", "request_id": "dup-2"])
            #expect(overHTTP.json == overMQTT)
            // And HTTP retried over HTTP.
            let again = try await http.post("message/\(roomId)", ["content": "one", "request_id": "dup-1"])
            #expect(again.body == first.body)
            let history = try await http.post("history/\(roomId)", ["limit": 50]).json
            let texts = history["messages"]?.arrayValue?.filter { $0["type"]?.stringValue == "text" }.compactMap { $0["content"]?.stringValue }
            #expect(texts?.sorted() == ["one", "two"])
        }
    }

    @Test func anIdempotencyKeyIsTheRequestIdWhenTheBodyHasNone() async throws {
        try await withAPI { harness, api in
            let alice = try await harness.user("alice")
            let roomId = try await alice.createRoom("keys")
            let http = api.as(alice)
            let first = try await http.post("message/\(roomId)", ["content": "once"], headers: ["Idempotency-Key: key-1"])
            let second = try await http.post("message/\(roomId)", ["content": "once"], headers: ["Idempotency-Key: key-1"])
            #expect(first.status == 200 && second.body == first.body)
            #expect(first.json["request_id"]?.stringValue == "key-1")
            // The key names the request on MQTT too.
            let overMQTT = try await alice.reply(to: try alice.send("chat/message/\(roomId)", ["content": "once"], requestId: "key-1"))
            #expect(overMQTT == first.json)
            // The body's request_id wins over the header.
            let own = try await http.post("message/\(roomId)", ["content": "mine", "request_id": "body-1"], headers: ["Idempotency-Key: key-1"])
            #expect(own.json["request_id"]?.stringValue == "body-1" && own.json["message_id"] != first.json["message_id"])
            // A key over 128 characters is refused like such a request_id.
            let long = try await http.post("message/\(roomId)", ["content": "x"], headers: ["Idempotency-Key: " + String(repeating: "k", count: 129)])
            #expect(long.status == 400 && long.json.errorCode == "validation_failed")
            let history = try await http.post("history/\(roomId)").json
            #expect(history["messages"]?.arrayValue?.filter { $0["content"]?.stringValue == "once" }.count == 1)
        }
    }

    @Test func theAPIAndItsDocumentAreServedWithoutTheWebGateway() async throws {
        try await withAPI(gateway: false) { harness, api in
            let alice = try await harness.user("alice")
            let document = try await api.send("GET", "/api/v1/openapi.json")
            #expect(document.status == 200 && document.json["openapi"]?.stringValue == "3.1.0")
            #expect(document.json["paths"]?["/api/v1/message/{room_id}"]?["post"] != nil)
            let created = try await api.as(alice).send("POST", "/api/v1/rooms/create", body: Array(#"{"name":"no gateway"}"#.utf8))
            #expect(created.status == 200 && created.json.status == "room_created")
            // An empty body is an empty payload.
            #expect(try await api.as(alice).send("POST", "/api/v1/rooms/list").json.status == "success")
            #expect(try await api.send("GET", "/").status == 404)
        }
    }
}

extension APIClient {
    /// The same client with `user`'s token.
    func `as`(_ user: ChatClient) -> APIClient {
        APIClient(port: port, token: user.token)
    }
}

private extension JSONValue {
    /// The keys of an object, sorted.
    var keys: [String] {
        if case .object(let object) = self { return object.keys.sorted() }
        return []
    }
}

/// Runs `body` with an engine (through a private mosquitto) and its HTTP listener serving the API, with
/// or without the web gateway.
func withAPI(
    gateway: Bool = false, _ configure: (inout EngineConfiguration) -> Void = { _ in },
    _ body: (EngineHarness, APIClient) async throws -> Void
) async throws {
    var logger = Logger(label: "api-under-test")
    logger.logLevel = .warning
    try await withEngine(configure) { harness in
        let engine = harness.engine
        let probe = HTTPProbe(port: try Broker.freePort())
        let server = OperationsServer(
            port: probe.port, registry: PrometheusCollectorRegistry(), isHealthy: { engine.isHealthy },
            gateway: gateway ? WebGateway(engine: engine, logger: logger) : nil, api: HTTPAPI(engine: engine, logger: logger),
            logger: logger)
        try await whileServing([server], probe: probe, logger: logger) { try await body(harness, APIClient(port: probe.port)) }
    }
}
