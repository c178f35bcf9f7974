// Tensors: row-major, contiguous Float32 over an accounted Storage. ARC frees storage the moment the last
// reference goes, which is what makes the ledger's figures deterministic.
#if canImport(Glibc)
import Glibc
import CMalloc
#elseif canImport(Darwin)
import Darwin
#endif

/// A malloc'd block of floats that reports its allocation and its free to the ledger.
public final class Storage {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int
    public let category: MemoryCategory
    /// Where it was allocated: the scope given, or the one current then.
    public let scope: ScopeID
    /// Bytes the allocator really reserved (its size class), >= count * 4.
    public let allocatedBytes: Int

    /// Allocates `count` floats through malloc (so jemalloc sees it); zero-filled when `zeroed`. Charged to `scope`,
    /// or to the scope current on this thread when nil.
    public init(count: Int, category: MemoryCategory, zeroed: Bool, scope: ScopeID? = nil) {
        precondition(count >= 0, "negative tensor size \(count)")
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        let raw: UnsafeMutableRawPointer?
        if zeroed { raw = calloc(1, bytes) } else { raw = malloc(bytes) }
        guard let raw else { fatalError("out of memory allocating \(bytes) bytes") }
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        self.count = count
        self.category = category
        self.scope = scope ?? Scopes.current
        allocatedBytes = malloc_usable_size(raw)
        Ledger.shared.recordAllocation(count * MemoryLayout<Float>.stride, category, allocated: allocatedBytes,
                                       scope: self.scope)
    }

    deinit {
        free(pointer)
        Ledger.shared.recordFree(count * MemoryLayout<Float>.stride, category, allocated: allocatedBytes, scope: scope)
    }
}

/// An n-dimensional Float32 array, row-major and contiguous. Copies share storage (reference semantics for data).
public struct Tensor {
    public let storage: Storage
    public private(set) var shape: [Int]

    /// A new tensor of `shape`; zero-filled unless `zeroed` is false (then contents are undefined). Charged to
    /// `scope`, or to the scope current when nil.
    public init(_ shape: [Int], category: MemoryCategory = .activation, zeroed: Bool = true, scope: ScopeID? = nil) {
        let n = shape.reduce(1, *)
        storage = Storage(count: n, category: category, zeroed: zeroed, scope: scope)
        self.shape = shape
    }

    /// A tensor holding `values` (count must match shape).
    public init(_ shape: [Int], values: [Float], category: MemoryCategory = .activation, scope: ScopeID? = nil) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.init(shape, category: category, zeroed: false, scope: scope)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    public var count: Int { storage.count }
    public var data: UnsafeMutablePointer<Float> { storage.pointer }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: storage.pointer, count: count) }
    public var category: MemoryCategory { storage.category }
    public var bytes: Int { count * MemoryLayout<Float>.stride }

    /// Size of the last dimension.
    public var lastDim: Int { shape.last ?? 1 }
    /// Product of all dimensions but the last: the row count when viewed as a matrix.
    public var rows: Int { count / max(lastDim, 1) }

    /// The same storage seen with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "cannot reshape \(shape) to \(newShape)")
        var t = self
        t.shape = newShape
        return t
    }

    /// All elements as an Array (for tests and I/O, never hot paths).
    public var values: [Float] { Array(buffer) }

    /// A new tensor with the same contents, in `category`, charged to `scope` (or the current one).
    public func copy(category: MemoryCategory? = nil, scope: ScopeID? = nil) -> Tensor {
        let t = Tensor(shape, category: category ?? self.category, zeroed: false, scope: scope)
        t.data.update(from: data, count: count)
        return t
    }

    /// Sets every element to zero.
    public func zero() { data.update(repeating: 0, count: count) }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    public subscript(i: Int) -> Float {
        get { data[i] }
        nonmutating set { data[i] = newValue }
    }
}
