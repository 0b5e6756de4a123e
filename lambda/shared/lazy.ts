/**
 * A value built on first use and kept: what lets a module declare something costly (a zod schema)
 * without paying for it when the module loads. The recording function's cold start builds none of
 * the eight event schemas; its first event builds the one schema that event needs.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}
