import Actors
import Wire

/// `chat/push/register` and `chat/push/unregister`: the devices a push gateway delivers a user's
/// notifications to (SPEC §11). The device's token is `push_token`: `token` is the user's JWT.
struct PushHandlers {
    let services: ChatServices

    /// The platforms a device may name.
    static let platforms: Set<String> = ["apns", "fcm", "webpush", "webhook"]
    /// Longest `push_token`: a Web Push subscription (endpoint URL and keys) fits; APNs and FCM tokens are
    /// far shorter.
    static let maxTokenLength = 4096
    static let maxAppIdLength = 256

    /// Registers (or registers again, replacing) the caller's device `device_id`.
    func register(_ request: inout Request) async throws -> Reply {
        let user = request.user
        let deviceId = try Self.deviceId(request)
        let platform = try request.string("platform", maxLength: 16)
        guard Self.platforms.contains(platform) else {
            throw ChatError.validation("'platform' must be apns, fcm, webpush or webhook")
        }
        let pushToken = try request.string("push_token", maxLength: Self.maxTokenLength)
        let appId = try request.string("app_id", maxLength: Self.maxAppIdLength)
        guard !pushToken.allSatisfy(\.isWhitespace), !appId.allSatisfy(\.isWhitespace) else {
            throw ChatError.validation("'push_token' and 'app_id' must not be blank")
        }
        let device = PushDevice(deviceId: deviceId, platform: platform, pushToken: pushToken, appId: appId, registeredAt: request.now)
        let count = try services.push.devices.register(
            device, for: user.userId, limit: services.configuration.limits.pushDevicesPerUser
        ) { () throws(ChatError) in
            _ = try services.delivery.record(.pushDevice(userId: user.userId, device))
        }
        return Self.registered(deviceId: deviceId, platform: platform, devices: count)
    }

    /// Unregisters the caller's device `device_id` (`not_found` when there is none).
    func unregister(_ request: inout Request) async throws -> Reply {
        let user = request.user
        let deviceId = try Self.deviceId(request)
        let count = try services.push.devices.unregister(deviceId, of: user.userId) { () throws(ChatError) in
            _ = try services.delivery.record(.pushDeviceRemoved(userId: user.userId, deviceId: deviceId))
        }
        return Self.unregistered(deviceId: deviceId, devices: count)
    }

    /// `device_id`: 1-64 characters of `[A-Za-z0-9_.-]`, as a user id (a UUID fits).
    static func deviceId(_ request: Request) throws(ChatError) -> String {
        let deviceId = try request.string("device_id", maxLength: 64)
        guard isValidUserID(deviceId) else {
            throw ChatError.validation("'device_id' must be 1-64 characters of A-Z, a-z, 0-9, '_', '.', '-'")
        }
        return deviceId
    }

    static func registered(deviceId: String, platform: String, devices: Int) -> Reply {
        Reply("push_registered", [
            "device_id": .string(deviceId), "platform": .string(platform), "devices": .number(Double(devices)),
        ])
    }

    static func unregistered(deviceId: String, devices: Int) -> Reply {
        Reply("push_unregistered", ["device_id": .string(deviceId), "devices": .number(Double(devices))])
    }
}
