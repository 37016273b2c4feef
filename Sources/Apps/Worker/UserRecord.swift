import Foundation
import DocStore

/// The rules of a user document's fields: what a request may set and how it is stored.
enum UserRecord {
    /// Fields that hold the password hash: stored, never answered.
    static let secretFields = ["password", "password_scheme", "pbkdf2_prf", "derived_key", "salt", "iterations"]
    static let maxEmailLength = 254
    static let maxPasswordLength = 1024
    static let maxNameLength = 200

    /// `{global: true}` (Budibase's shape) or a bare `true`.
    static func flag(_ value: JSON?) -> Bool {
        if let object = value?.objectValue { return object["global"]?.boolValue ?? false }
        return value?.boolValue ?? false
    }

    /// A user document as answers show it: without the password hash.
    static func publicUser(_ user: JSONObject) -> JSONObject {
        var output = user
        for field in secretFields { output.removeValue(forKey: field) }
        return output
    }

    /// The email given, trimmed. - Throws: 400 unless it looks like an address.
    static func email(_ value: JSON?) throws(AppError) -> String {
        guard let text = value?.stringValue?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            throw AppError(.badRequest, "Invalid request", validationErrors: ["email": ["email is required"]])
        }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard text.utf8.count <= maxEmailLength, parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            !text.contains(where: { $0.isWhitespace || $0.isNewline })
        else { throw AppError(.badRequest, "Invalid request", validationErrors: ["email": ["email must be a valid email address"]]) }
        return text
    }

    /// A password given in a body. - Throws: 400 unless a non-empty string of bounded length.
    static func password(_ value: JSON?) throws(AppError) -> String {
        guard let text = value?.stringValue, !text.isEmpty, text.utf8.count <= maxPasswordLength else {
            throw AppError(.badRequest, "Invalid request", validationErrors: ["password": ["password must be a non-empty string"]])
        }
        return text
    }

    /// Copies the names, status, flags and roles a body sets onto `user`.
    /// - Parameter privileged: whether the caller may set status, flags and roles (admins).
    static func apply(_ body: JSONObject, to user: inout JSONObject, privileged: Bool) throws(AppError) {
        for field in ["firstName", "lastName"] {
            switch body[field] {
            case nil: break
            case .null?: user.removeValue(forKey: field)
            case .string(let name)? where name.count <= maxNameLength: user[field] = .string(name)
            default: throw AppError.badRequest("\(field) must be a string of at most \(maxNameLength) characters")
            }
        }
        guard privileged else { return }
        if let status = body["status"] {
            guard let text = status.stringValue, text == "active" || text == "inactive" else {
                throw AppError.badRequest("status must be \"active\" or \"inactive\"")
            }
            user["status"] = .string(text)
        }
        for field in ["builder", "admin"] where body[field] != nil {
            user[field] = ["global": .bool(flag(body[field]))]
        }
        if let flag = body["forceResetPassword"] {
            guard let value = flag.boolValue else { throw AppError.badRequest("forceResetPassword must be a boolean") }
            user["forceResetPassword"] = .bool(value)
        }
        if let roles = body["roles"] {
            guard let object = roles.objectValue else { throw AppError.badRequest("roles must be an object of app id to role id") }
            var normalized = JSONObject()
            for (app, role) in object {
                guard let roleID = role.stringValue, !roleID.isEmpty else { throw AppError.badRequest("roles.\(app) must be a role id") }
                normalized[try productionAppID(app)] = .string(RoleDefinition.normalizedID(roleID))
            }
            user["roles"] = .object(normalized)
        }
    }

    /// Roles are keyed by the production app id, whichever id is given (as Budibase does).
    static func productionAppID(_ text: String) throws(AppError) -> String {
        do {
            return try AppID(text).production
        } catch {
            throw AppError.badRequest("\(text) is not an app id")
        }
    }

    /// The `email_…` claim id of an email: lowercased, so uniqueness ignores case.
    static func claimID(_ email: String) -> String { WorkerService.emailPrefix + email.lowercased() }
}
