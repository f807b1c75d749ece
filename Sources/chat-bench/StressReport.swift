import Foundation

/// What a stress run did and every invariant it found broken.
struct StressReport {
    var users: Int
    var rooms: Int
    var elapsed: Double
    var requests: Int
    var missingReplies: Int
    var duplicateReplies: Int
    var outcomes: [String: Int]
    var restarts: Int
    /// What the audit looked at, so a pass is not mistaken for an empty check.
    var checked: String
    var violations: [String]

    var text: String {
        var lines = [
            "chat-bench stress — \(users) users, \(rooms) rooms, \(requests) requests in \(String(format: "%.1f", elapsed)) s"
                + (restarts > 0 ? ", \(restarts) engine restarts" : ""),
            "replies: \(requests - missingReplies) of \(requests), \(duplicateReplies) duplicates",
            "checked: \(checked)",
            "outcomes:",
        ]
        lines += outcomes.sorted { $0.key < $1.key }.map { "  \($0.key): \($0.value)" }
        if violations.isEmpty {
            lines.append("OK: no invariant violated")
        } else {
            lines.append("VIOLATIONS (\(violations.count)):")
            lines += violations.prefix(50).map { "  - \($0)" }
            if violations.count > 50 { lines.append("  … \(violations.count - 50) more") }
        }
        return lines.joined(separator: "\n")
    }
}
