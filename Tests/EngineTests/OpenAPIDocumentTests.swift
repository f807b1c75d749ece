@testable import Engine
import Actors
import Logging
import Testing
import Wire

/// `GET /api/v1/openapi.json` is generated from the route table: every route has a path and a schema,
/// and every path and schema is a route.
struct OpenAPIDocumentTests {
    /// The engine's route table (the engine connects to nothing until it runs).
    static let router: Engine.Router = {
        var logger = Logger(label: "openapi")
        logger.logLevel = .critical
        let engine = try! ChatEngine(
            configuration: EngineConfiguration(
                mqttPort: 1, clientID: "openapi", jwtSecret: Array(String(repeating: "s", count: 32).utf8), dataDirectory: nil),
            logger: logger)
        return engine.router
    }()
    static var routes: [Route] { router.routes }

    @Test func everyRouteHasAPathAndASchemaAndEveryPathIsARoute() {
        let document = OpenAPIDocument(routes: Self.routes)
        #expect(document.undocumented.isEmpty, "routes without an entry in APIRouteSchemas")
        let names = Set(Self.routes.map(\.name))
        #expect(Set(APIRouteSchemas.all.keys).subtracting(names).isEmpty, "schemas of routes that are not in the table")

        guard case .object(let paths)? = document.json["paths"] else {
            Issue.record("the document has no paths")
            return
        }
        let expected = Set(Self.routes.map { APIPath.path(ofPattern: $0.pattern) }).union(["/api/v1/events"])
        #expect(Set(paths.keys) == expected)
        // Each path leads back to its own route: parameters filled in, through the topic the API makes of it.
        let router = Self.router
        for route in Self.routes {
            let path = APIPath.path(ofPattern: route.pattern)
                .split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.hasPrefix("{") ? "x1" : String($0) }.joined(separator: "/")
            #expect(router.match(APIPath.topic(ofPath: path))?.route.name == route.name, "\(path)")
            #expect(paths[APIPath.path(ofPattern: route.pattern)]?["post"]?["responses"]?["429"] != nil)
        }
    }

    @Test func theDocumentIsOpenAPI31WithBearerSecurity() {
        let json = OpenAPIDocument(routes: Self.routes).json
        #expect(json["openapi"]?.stringValue == "3.1.0")
        #expect(json["components"]?["securitySchemes"]?["bearer"]?["scheme"]?.stringValue == "bearer")
        #expect(json["paths"]?["/api/v1/rooms/create"]?["post"]?["requestBody"] != nil)
    }

    @Test func errorCodesMapToTheStatusesOfSPEC11() {
        let expected: [ChatError.Code: Int] = [
            .invalidPayload: 400, .validationFailed: 400, .unauthorized: 401, .forbidden: 403, .notMember: 403,
            .banned: 403, .muted: 403, .notFound: 404, .unknownRoute: 404, .conflict: 409, .roomFull: 409,
            .tooLarge: 413, .rateLimited: 429, .internal: 500,
        ]
        for code in ChatError.Code.allCases {
            #expect(APIStatus.status(of: code).code == expected[code], "\(code)")
        }
        let limited = RequestProcessor.encode(ChatError(.rateLimited, "slow", retryAfter: 2.2), topic: "chat/x", requestId: nil)
        #expect(APIStatus(reply: limited) == APIStatus(status: .tooManyRequests, retryAfter: 3))
        let success = RequestProcessor.encode(Reply("joined"), topic: "chat/x", requestId: "r")
        #expect(APIStatus(reply: success).status == .ok)
    }

    @Test func aPathLevelIsOneTopicLevel() {
        #expect(APIPath.topic(ofPath: "/api/v1/rooms/create") == "chat/rooms/create")
        #expect(APIPath.topic(ofPath: "/api/v1/message/caf%C3%A9") == "chat/message/café")
        // An encoded slash stays encoded: it cannot make `message/{room_id}` reach `message/{id}/edit`.
        #expect(APIPath.topic(ofPath: "/api/v1/message/a%2Fedit") == "chat/message/a%2Fedit")
        #expect(APIPath.topic(ofPath: "/api/v1/message/a%00") == "chat/message/a%00")
    }

}
