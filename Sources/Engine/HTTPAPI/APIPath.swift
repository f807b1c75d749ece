import Foundation

/// The mapping between API paths and request topics: `/api/v1/{route}` is the topic `chat/{route}`.
enum APIPath {
    /// The topic of a request path: its levels after `/api/v1/`, each percent-decoded. A level that would
    /// decode to `/` (or NUL) stays encoded, so one path level is always one topic level: a parameter can
    /// never reach another route.
    static func topic(ofPath path: String) -> String {
        var rest = Substring(path)
        if rest.hasPrefix(HTTPAPI.pathPrefix) { rest = rest.dropFirst(HTTPAPI.pathPrefix.count) }
        let levels = rest.split(separator: "/", omittingEmptySubsequences: false).map { level -> String in
            guard level.contains("%"), let decoded = String(level).removingPercentEncoding,
                  !decoded.contains("/"), !decoded.contains("\u{0}")
            else { return String(level) }
            return decoded
        }
        return "chat/" + levels.joined(separator: "/")
    }

    /// The OpenAPI path of a route pattern: `chat/message/{room_id}` is `/api/v1/message/{room_id}`.
    static func path(ofPattern pattern: TopicPattern) -> String {
        var levels = pattern.description.split(separator: "/", omittingEmptySubsequences: false)
        if levels.first == "chat" { levels.removeFirst() }
        return HTTPAPI.pathPrefix + levels.joined(separator: "/")
    }
}
