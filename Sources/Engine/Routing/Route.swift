import Actors

/// A registered route: its pattern, QoS, middleware and handler.
public struct Route: Sendable {
    /// Position in the router's table; also the MQTT subscription identifier minus one.
    public let index: Int
    public let pattern: TopicPattern
    /// The pattern as written (`chat/message/{room_id}`), built once: metrics label every request with it.
    public let name: String
    /// The QoS the route's filter is subscribed with (the seed's values).
    public let qos: Int32
    /// Checks and rewrites run in order before the handler.
    public let middleware: [any Middleware]
    /// Which parameter orders this route's requests (see `LaneKey`).
    public let laneKey: LaneKey
    public let handler: Handler
    /// Rebuilds the reply of a request whose changes were journaled but whose reply was lost in a crash;
    /// nil for routes whose requests are safe to apply again (reads, setters).
    public let recover: Recovery?
    /// The route changes nothing (reads: lists, history, search, files): its replies are not remembered
    /// for retries — a retry simply runs it again — so a reader cannot make the engine hold what it reads.
    public let isReadOnly: Bool

    /// Handles one request that passed the middleware.
    public typealias Handler = @Sendable (inout Request) async throws -> Reply
    /// The reply the handler gave, from what its request changed (nil when the changes do not say).
    public typealias Recovery = @Sendable ([UnansweredRequest.Change]) -> Reply?
}

/// What a route's requests must stay ordered by: requests with the same key run one after another.
public enum LaneKey: Sendable, Equatable {
    /// The value of a parameter (a room id, a user id).
    case parameter(String)
    /// The room part of a message id parameter, so message actions order with the room's messages.
    case messageRoom(String)
    /// A fixed key: all requests of the route (or route family) are ordered together.
    case constant(String)
    /// Heavy work (file uploads) in lanes of its own, ordered by a parameter, so it never waits in
    /// front of chat messages.
    case bulk(String)
    /// The caller's user id, known once the request is admitted: a user's own reads and settings (sync,
    /// blocks) stay in the order sent without one lane for everyone's.
    case caller
}

/// A successful match of a topic against the router.
public struct RouteMatch: Sendable {
    public let route: Route
    /// Parameter values in pattern order, as `(name, value)`.
    public let parameters: [(String, Substring)]

    public func parameter(_ name: String) -> String? {
        parameters.first { $0.0 == name }.map { String($0.1) }
    }

    /// The ordering key of this request.
    public var laneKey: String {
        switch route.laneKey {
        case .parameter(let name):
            return parameter(name) ?? ""
        case .messageRoom(let name):
            guard let id = parameter(name) else { return "" }
            if let colon = id.lastIndex(of: ":") { return String(id[..<colon]) }
            return id
        case .constant(let key):
            return key
        case .bulk(let name):
            return parameter(name) ?? ""
        case .caller:
            return Self.callerLanePlaceholder
        }
    }

    /// The lane key of a `.caller` route before its caller is known.
    static let callerLanePlaceholder = "caller"

    /// The lane key once the request is admitted as `userId`'s, given the key it had before (`laneKey`,
    /// already worked out when the request was classified).
    public func laneKey(admittedFor userId: String, classified key: String) -> String {
        route.laneKey == .caller ? "caller/" + userId : key
    }

    /// Whether the request belongs in the bulk lanes.
    public var isBulk: Bool {
        if case .bulk = route.laneKey { return true }
        return false
    }
}
