/// One node of a selector tree, mirroring the EJSON shapes `mango_selector.erl` works on.
///
/// The same type serves all three normalization stages. After `SelectorParser` field nodes hold
/// the path segments of one object key and may wrap anything; after `SelectorNormalizer` every
/// condition sits directly under a `field` node holding its full path (empty inside `$elemMatch`,
/// `$allMatch` and `$keyMapMatch`, where conditions apply to the element itself), and negations
/// have been pushed down to the conditions wherever CouchDB pushes them.
indirect enum SelectorNode: Sendable {
    /// `$and` (also the implicit and of a multi-key object); empty matches everything.
    case and([SelectorNode])
    /// `$or`; empty matches everything, as in CouchDB 3.4.
    case or([SelectorNode])
    /// `$nor`; normalized away except inside `$elemMatch`/`$allMatch`/`$keyMapMatch`.
    case nor([SelectorNode])
    /// `$not`.
    case not(SelectorNode)
    /// A condition on the value at a field path (segments already unescaped).
    case field([String], SelectorNode)
    /// `$elemMatch`: some element of an array matches.
    case elemMatch(SelectorNode)
    /// `$allMatch`: a non-empty array whose elements all match.
    case allMatch(SelectorNode)
    /// `$keyMapMatch`: some key of an object matches.
    case keyMapMatch(SelectorNode)
    /// A terminal condition operator.
    case condition(SelectorCondition)
}
