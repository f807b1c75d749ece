import Actors
import Hummingbird
import Wire

/// The HTTP status of a reply (SPEC §11), chosen from its error code alone: every rule stays in the
/// engine, which answers over HTTP exactly what it answers over MQTT.
struct APIStatus: Equatable {
    let status: HTTPResponse.Status
    /// Whole seconds for `Retry-After` (rate-limited replies only), rounded up.
    let retryAfter: Int?

    /// Reads the reply's `status` and, for an error, its `code` and `retry_after`.
    init(reply: [UInt8]) {
        guard case .object(let object)? = try? JSONParser.parse(reply), object["status"]?.stringValue == "error" else {
            self.init(status: .ok, retryAfter: nil)
            return
        }
        let code = object["error"]?["code"]?.stringValue.flatMap(ChatError.Code.init(rawValue:))
        let status = code.map(Self.status(of:)) ?? .badRequest
        let retryAfter = status == .tooManyRequests
            ? max(1, Int((object["error"]?["retry_after"]?.doubleValue ?? 1).rounded(.up))) : nil
        self.init(status: status, retryAfter: retryAfter)
    }

    init(status: HTTPResponse.Status, retryAfter: Int?) {
        self.status = status
        self.retryAfter = retryAfter
    }

    /// The status of each error code. `room_full` is 409: the request is valid and allowed, the room's
    /// state refuses it and may not later.
    static func status(of code: ChatError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidPayload, .validationFailed: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden, .notMember, .banned, .muted: .forbidden
        case .notFound, .unknownRoute: .notFound
        case .conflict, .roomFull: .conflict
        case .tooLarge: .contentTooLarge
        case .rateLimited: .tooManyRequests
        case .internal: .internalServerError
        }
    }
}
