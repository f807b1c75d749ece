/// The devices of one user and the status they make together: online if any device is online, else away
/// if any is away, else offline. A device that goes offline or lapses is forgotten; the user's status is
/// what the remaining devices say, so one closed laptop changes nothing while the phone is online.
public struct DevicePresence: Sendable, Equatable {
    /// One device's own status (online or away; offline devices are not kept).
    public struct Device: Sendable, Equatable {
        public var status: PresenceStatus
        /// When the status lapses unless the device refreshes it.
        public var expiresAt: Double
        /// When the device last set its status: the least recently heard device makes room for a new one.
        public var updatedAt: Double

        public init(status: PresenceStatus, expiresAt: Double, updatedAt: Double) {
            self.status = status
            self.expiresAt = expiresAt
            self.updatedAt = updatedAt
        }
    }

    /// The device name a request without `device` stands for.
    public static let defaultDevice = "default"

    /// Devices with an online or away status, lapsed ones included until ``expire(now:)`` drops them.
    public private(set) var devices: [String: Device] = [:]
    /// Devices kept at most; a new one beyond it replaces the least recently heard.
    public let maxDevices: Int

    public init(maxDevices: Int) {
        self.maxDevices = max(1, maxDevices)
    }

    /// Sets `device`'s status: online and away last `ttl` seconds, offline forgets the device. Returns the
    /// devices dropped to make room for a new one (lapsed ones first, then the least recently heard).
    @discardableResult
    public mutating func set(_ device: String, _ status: PresenceStatus, now: Double, ttl: Double) -> [String] {
        guard status != .offline else {
            devices[device] = nil
            return []
        }
        var dropped: [String] = []
        if devices[device] == nil && devices.count >= maxDevices {
            dropped = expire(now: now)
            if devices.count >= maxDevices, let stalest = devices.min(by: { Self.heardEarlier($0, $1) })?.key {
                devices[stalest] = nil
                dropped.append(stalest)
            }
        }
        devices[device] = Device(status: status, expiresAt: now + ttl, updatedAt: now)
        return dropped
    }

    /// Forgets the devices whose status lapsed by `now`; returns their names.
    @discardableResult
    public mutating func expire(now: Double) -> [String] {
        let lapsed = devices.filter { $0.value.expiresAt <= now }.map(\.key)
        for device in lapsed { devices[device] = nil }
        return lapsed.sorted()
    }

    /// The user's status at `now`: lapsed devices count as offline even before ``expire(now:)``.
    public func status(now: Double) -> PresenceStatus {
        var status = PresenceStatus.offline
        for device in devices.values where device.expiresAt > now {
            if device.status == .online { return .online }
            if device.status == .away { status = .away }
        }
        return status
    }

    /// When the user's status lapses to offline unless a device refreshes it: the latest expiry of a live
    /// device, or `now` when none is live.
    public func expiresAt(now: Double) -> Double {
        devices.values.lazy.map(\.expiresAt).filter { $0 > now }.max() ?? now
    }

    /// Orders devices by when they were last heard, then by name, so eviction does not depend on hashing.
    private static func heardEarlier(_ a: (key: String, value: Device), _ b: (key: String, value: Device)) -> Bool {
        a.value.updatedAt != b.value.updatedAt ? a.value.updatedAt < b.value.updatedAt : a.key < b.key
    }
}
