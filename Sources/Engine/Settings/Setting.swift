import Foundation

/// One setting of `chat-engine` (SPEC §9): its flag, environment variable, config-file key and default.
///
/// The raw value is the flag without its dashes and also the key in a `--config` file.
public enum Setting: String, CaseIterable, Sendable {
    case mqttHost = "mqtt-host"
    case mqttPort = "mqtt-port"
    case mqttUsername = "mqtt-username"
    case mqttPassword = "mqtt-password"
    case clientID = "client-id"
    case jwtSecret = "jwt-secret"
    case dataDir = "data-dir"
    case snapshotInterval = "snapshot-interval"
    case snapshotChanges = "snapshot-changes"
    case fsync
    case rateLimit = "rate-limit"
    case maxFileSize = "max-file-size"
    case logLevel = "log-level"
    case logFormat = "log-format"
    case metricsPort = "metrics-port"
    case httpHost = "http-host"
    case allowEmptyStart = "allow-empty-start"
    case fanout
    // What users can make the engine hold (UserLimits).
    case roomsPerUser = "rooms-per-user"
    case directRoomsPerUser = "direct-rooms-per-user"
    case replyCacheBytesPerUser = "reply-cache-bytes-per-user"
    case replyCacheBytes = "reply-cache-bytes"
    case storedBytesPerUser = "stored-bytes-per-user"
    case pendingUploadBytes = "pending-upload-bytes"
    case minFreeDiskBytes = "min-free-disk-bytes"
    case socketsPerUser = "sockets-per-user"
    case sockets
    case reactionsPerMessage = "reactions-per-message"
    case rateLimitUsers = "rate-limit-users"
    case blockedUsersPerUser = "blocked-users-per-user"
    case devicesPerUser = "devices-per-user"

    /// The bound a limit setting sets, or nil for the other settings.
    public var limit: WritableKeyPath<UserLimits, Int>? {
        switch self {
        case .roomsPerUser: \.roomsCreatedPerUser
        case .directRoomsPerUser: \.directRoomsOpenedPerUser
        case .replyCacheBytesPerUser: \.replyCacheBytesPerUser
        case .replyCacheBytes: \.replyCacheBytesTotal
        case .storedBytesPerUser: \.storedBytesPerUser
        case .pendingUploadBytes: \.pendingUploadBytesTotal
        case .minFreeDiskBytes: \.minimumFreeDiskBytes
        case .socketsPerUser: \.socketsPerUser
        case .sockets: \.socketsTotal
        case .reactionsPerMessage: \.reactionsPerMessage
        case .rateLimitUsers: \.rateLimitBuckets
        case .blockedUsersPerUser: \.blockedUsersPerUser
        case .devicesPerUser: \.devicesPerUser
        default: nil
        }
    }

    /// The command-line flag, e.g. `--mqtt-port`.
    public var flag: String { "--" + rawValue }

    /// The environment variable, e.g. `CHAT_MQTT_PORT`.
    public var environmentVariable: String {
        "CHAT_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The default as text, or nil when the setting has none.
    public var defaultValue: String? {
        switch self {
        case .mqttHost: "127.0.0.1"
        case .mqttPort: "1883"
        case .mqttUsername, .mqttPassword, .jwtSecret: nil
        case .clientID: "chat-engine"
        case .dataDir: "./snapshots"
        case .snapshotInterval: "60"
        case .snapshotChanges: "10000"
        case .fsync: "everysec"
        case .rateLimit: "100"
        case .maxFileSize: "10485760"
        case .logLevel: "info"
        case .logFormat: "human"
        case .metricsPort: "9464"
        case .httpHost: "127.0.0.1"
        case .allowEmptyStart: "false"
        case .fanout: "inbox"
        default: limit.map { String(UserLimits()[keyPath: $0]) }
        }
    }

    /// What the setting does, in a few words.
    public var summary: String {
        switch self {
        case .mqttHost: "Broker host, or a comma-separated list of host[:port] (the nodes of a cluster): the engine uses the first that answers and moves to the next when its broker goes away."
        case .mqttPort: "Broker port (of every host given without one)."
        case .mqttUsername: "Broker user name."
        case .mqttPassword: "Broker password."
        case .clientID: "The engine's MQTT client id (the outbound connection appends -out)."
        case .jwtSecret: "HS256 token secret, at least 32 bytes; serve refuses to start without one, except with --dev."
        case .dataDir: "Directory of snapshots, journal and files."
        case .snapshotInterval: "Seconds between periodic snapshots (> 0)."
        case .snapshotChanges: "Changes after which a snapshot is written before the interval (> 0)."
        case .fsync: "Journal fsync policy: always, everysec or no."
        case .rateLimit: "Requests per minute per user, 0 = off."
        case .maxFileSize: "Largest file upload in bytes."
        case .logLevel: "trace, debug, info, notice, warning, error or critical."
        case .logFormat: "human (one line of text) or json (one JSON object per line)."
        case .metricsPort: "Port of the HTTP endpoint (/metrics, /healthz, the web client on / and /ws), 0 = off."
        case .httpHost: "Address the HTTP endpoint listens on; it has no TLS, so keep it on loopback behind a proxy."
        case .allowEmptyStart: "Start empty when snapshot files exist but none can be read (otherwise refuse to start)."
        case .fanout: "How room events reach members: inbox (one publish per member) or room-topic (one publish per event to a topic only members know; needs the shipped broker's dynamic security rules)."
        case .roomsPerUser: "Rooms one user may have created that still exist (DMs not counted)."
        case .directRoomsPerUser: "Direct-message rooms one user may open with users who never answered."
        case .replyCacheBytesPerUser: "Bytes of remembered replies (request_id retries) per user; oldest forgotten first."
        case .replyCacheBytes: "Bytes of remembered replies for all users together."
        case .storedBytesPerUser: "Bytes of stored files one user may have uploaded (disk quota)."
        case .pendingUploadBytes: "Bytes of unfinished uploads held in memory for all users together."
        case .minFreeDiskBytes: "Free space the data directory keeps; uploads that would go below it are refused."
        case .socketsPerUser: "Open WebSocket connections of one user."
        case .sockets: "Open WebSocket connections in total."
        case .reactionsPerMessage: "Distinct emoji on one message."
        case .rateLimitUsers: "Users the rate limiter tracks at once (idle ones are forgotten first)."
        case .blockedUsersPerUser: "Users one user may block."
        case .devicesPerUser: "Presence devices kept per user; a new one beyond it replaces the least recently heard."
        }
    }

    /// The `--help` text: the summary, the environment variable and the default.
    public var help: String {
        "\(summary) (env: \(environmentVariable), default: \(defaultValue ?? "none"))"
    }
}
