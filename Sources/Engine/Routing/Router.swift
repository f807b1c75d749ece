/// Matches request topics to routes: a trie of topic levels where a literal level beats a parameter.
///
/// Built once at start-up and read-only after, so matching needs no lock and runs on libmosquitto's thread.
public struct Router: Sendable {
    final class Node: @unchecked Sendable {
        var literals: [Substring: Node] = [:]
        /// The child for any one level; names live on the routes, so `message/{room_id}` and
        /// `message/{message_id}/edit` share it.
        var parameter: Node?
        var route: Route?
    }

    private let root = Node()
    public private(set) var routes: [Route] = []

    public init() {}

    /// Starts a group of routes sharing a topic prefix and middleware.
    public mutating func group(
        _ prefix: String, middleware: [any Middleware] = [], _ body: (inout RouteGroup) -> Void
    ) {
        var group = RouteGroup(prefix: prefix, middleware: middleware)
        body(&group)
        for pending in group.routes { add(pending) }
    }

    mutating func add(_ pending: RouteGroup.PendingRoute) {
        let pattern = TopicPattern(pending.pattern)
        let route = Route(
            index: routes.count, pattern: pattern, name: pattern.description, qos: pending.qos, middleware: pending.middleware,
            laneKey: pending.laneKey, handler: pending.handler, recover: pending.recover,
            isReadOnly: pending.isReadOnly)
        var node = root
        for level in pattern.levels {
            switch level {
            case .literal(let text):
                let key = Substring(text)
                if let next = node.literals[key] {
                    node = next
                } else {
                    let next = Node()
                    node.literals[key] = next
                    node = next
                }
            case .parameter:
                if let existing = node.parameter {
                    node = existing
                } else {
                    let next = Node()
                    node.parameter = next
                    node = next
                }
            }
        }
        precondition(node.route == nil, "duplicate route \(pending.pattern)")
        node.route = route
        routes.append(route)
    }

    /// The route for `topic`, preferring literal levels and backtracking to parameters when a literal
    /// branch leads nowhere. Parameter values must be non-empty.
    public func match(_ topic: String) -> RouteMatch? {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        var values: [Substring] = []
        guard let route = Self.match(levels[...], node: root, values: &values) else { return nil }
        let names = route.pattern.levels.compactMap { level -> String? in
            if case .parameter(let name) = level { return name }
            return nil
        }
        return RouteMatch(route: route, parameters: Array(zip(names, values)))
    }

    private static func match(_ levels: ArraySlice<Substring>, node: Node, values: inout [Substring]) -> Route? {
        guard let level = levels.first else { return node.route }
        let rest = levels.dropFirst()
        if let next = node.literals[level], let route = match(rest, node: next, values: &values) {
            return route
        }
        if let next = node.parameter, !level.isEmpty {
            values.append(level)
            if let route = match(rest, node: next, values: &values) { return route }
            values.removeLast()
        }
        return nil
    }
}

/// Routes being declared under a common prefix and middleware.
public struct RouteGroup {
    struct PendingRoute {
        var pattern: String
        var qos: Int32
        var middleware: [any Middleware]
        var laneKey: LaneKey
        var handler: Route.Handler
        var recover: Route.Recovery?
        var isReadOnly: Bool
    }

    let prefix: String
    let middleware: [any Middleware]
    var routes: [PendingRoute] = []

    /// Declares a route `prefix/pattern`; `recover` rebuilds its reply from its changes after a crash
    /// (see ``Route/recover``); `readOnly` marks a route that changes nothing (see ``Route/isReadOnly``).
    public mutating func on(
        _ pattern: String, qos: Int32, lane: LaneKey, middleware extra: [any Middleware] = [], readOnly: Bool = false,
        _ handler: @escaping Route.Handler, recover: Route.Recovery? = nil
    ) {
        routes.append(PendingRoute(
            pattern: prefix.isEmpty ? pattern : "\(prefix)/\(pattern)", qos: qos,
            middleware: middleware + extra, laneKey: lane, handler: handler, recover: recover, isReadOnly: readOnly))
    }

    /// A nested group adding a prefix and middleware.
    public mutating func group(
        _ prefix: String = "", middleware extra: [any Middleware] = [], _ body: (inout RouteGroup) -> Void
    ) {
        let fullPrefix = [self.prefix, prefix].filter { !$0.isEmpty }.joined(separator: "/")
        var nested = RouteGroup(prefix: fullPrefix, middleware: middleware + extra)
        body(&nested)
        routes += nested.routes
    }
}
