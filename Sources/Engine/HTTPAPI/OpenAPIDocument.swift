import Actors
import Wire

/// The OpenAPI 3.1 document of the HTTP API (`GET /api/v1/openapi.json`): one `POST` operation per route
/// of the route table, with its body, its success reply and the error replies of SPEC §11, plus the event
/// stream. Built from the routes the engine serves and `APIRouteSchemas`.
struct OpenAPIDocument {
    typealias S = APISchema

    /// Routes whose name has no entry in `APIRouteSchemas`; they are still listed, with an open body.
    private(set) var undocumented: [String] = []
    private(set) var json: JSONValue = .null

    /// The error statuses every route may answer, and what each stands for.
    static let errorStatuses: [(status: Int, description: String)] = [
        (400, "`invalid_payload` or `validation_failed`"),
        (401, "`unauthorized`: a missing, forged or expired token (`WWW-Authenticate: Bearer`)"),
        (403, "`forbidden`, `not_member`, `banned` or `muted`"),
        (404, "`not_found` or `unknown_route`"),
        (409, "`conflict` or `room_full`"),
        (413, "`too_large`: the body is over the payload limit"),
        (429, "`rate_limited` (the rate limit, slow mode, or a busy engine), with `Retry-After`"),
        (500, "`internal`"),
        (503, "no reply in time (the engine is shutting down): retry with the same request id"),
    ]

    /// The API's paths of `routes`, in table order.
    static func paths(of routes: [Route]) -> [String] {
        routes.map { APIPath.path(ofPattern: $0.pattern) }
    }

    init(routes: [Route]) {
        var paths: [String: JSONValue] = [:]
        for route in routes {
            let schema = APIRouteSchemas.all[route.name]
            if schema == nil { undocumented.append(route.name) }
            paths[APIPath.path(ofPattern: route.pattern)] = ["post": Self.operation(route, schema)]
        }
        paths["/api/v1/events"] = ["get": Self.events]
        json = [
            "openapi": "3.1.0",
            "info": [
                "title": "chat-engine HTTP API",
                "version": .string(ChatEngine.version),
                "description": """
                    Every MQTT request route of the chat engine as `POST /api/v1/{route}` (the request topic without \
                    `chat/`). The body is the MQTT payload without `token`; the response body is the reply exactly as \
                    over MQTT. `Idempotency-Key` is the request id when the body has no `request_id`. See docs/HTTP.md.
                    """,
            ],
            "paths": .object(paths),
            "security": [["bearer": []]],
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
                "schemas": [
                    "ErrorReply": Self.errorReply,
                    "Message": S.message,
                    "Room": S.room,
                ],
                "parameters": [
                    "IdempotencyKey": [
                        "name": "Idempotency-Key", "in": "header", "required": false,
                        "description": "The request id when the body has no `request_id`: a retry with the same key is applied once.",
                        "schema": S.string(min: 1, max: 128),
                    ],
                ],
            ],
        ]
    }

    static let errorReply = S.object([
        "request_id": S.nullable(S.string()), "topic": S.string(), "status": ["const": "error"],
        "error": S.object([
            "code": S.oneOf(ChatError.Code.allCases.map(\.rawValue)), "message": S.string(), "retry_after": S.number,
        ], required: ["code", "message"]),
    ], required: ["request_id", "topic", "status", "error"])

    static func operation(_ route: Route, _ schema: APIRouteSchema?) -> JSONValue {
        var body = schema?.body ?? [:]
        body["request_id"] = S.string(max: 128)
        var reply = schema?.reply ?? [:]
        reply["request_id"] = S.nullable(S.string())
        reply["topic"] = S.string()
        reply["status"] = schema.map { S.oneOf($0.statuses) } ?? S.string()
        var responses: [String: JSONValue] = [
            "200": ["description": "the reply", "content": ["application/json": ["schema": S.object(
                reply, required: ["request_id", "topic", "status"])]]],
        ]
        for (status, description) in errorStatuses {
            var response: [String: JSONValue] = [
                "description": .string(description),
                "content": ["application/json": ["schema": S.reference("ErrorReply")]],
            ]
            if status == 401 { response["headers"] = ["WWW-Authenticate": ["schema": S.string()]] }
            if status == 429 || status == 503 { response["headers"] = ["Retry-After": ["schema": S.integer(min: 1)]] }
            responses[String(status)] = .object(response)
        }
        var parameters: [JSONValue] = [["$ref": "#/components/parameters/IdempotencyKey"]]
        for case .parameter(let name) in route.pattern.levels {
            parameters.append([
                "name": .string(name), "in": "path", "required": true, "schema": S.string(min: 1, max: 200),
            ])
        }
        var operation: [String: JSONValue] = [
            "operationId": .string(String(route.name.filter { $0 != "{" && $0 != "}" })),
            "summary": .string(schema?.summary ?? route.name),
            "parameters": .array(parameters),
            "requestBody": [
                "required": false,
                "content": ["application/json": ["schema": S.object(body, required: schema?.required ?? [])]],
            ],
            "responses": .object(responses),
        ]
        operation["tags"] = [.string(route.name.split(separator: "/").dropFirst().first.map(String.init) ?? "chat")]
        return .object(operation)
    }

    /// `GET /api/v1/events` (served by the web gateway).
    static let events: JSONValue = [
        "operationId": "events",
        "summary": "Server-sent events: everything published to the caller's chat/user/{id}/… topics.",
        "description": .string("`event:` is the topic's last level (`messages`, `notifications`, `responses`), `data:` the JSON. "
            + "A comment line every 15 s keeps proxies open; a reader that falls too far behind is disconnected."),
        "security": [["bearer": []], [:]],
        "parameters": [[
            "name": "access_token", "in": "query", "required": false,
            "description": "The token, for EventSource, which cannot set headers.", "schema": ["type": "string"],
        ]],
        "responses": [
            "200": ["description": "the event stream", "content": ["text/event-stream": ["schema": ["type": "string"]]]],
            "401": ["description": "no valid token", "content": ["text/plain": ["schema": ["type": "string"]]]],
            "429": ["description": "the user has as many connections open as allowed", "content": ["text/plain": ["schema": ["type": "string"]]]],
            "503": ["description": "the server has as many connections open as allowed", "content": ["text/plain": ["schema": ["type": "string"]]]],
        ],
    ]
}
