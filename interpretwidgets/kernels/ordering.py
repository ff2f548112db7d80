"""Orders of instances that put similar explanations side by side (the stacked force plot's "similarity")."""

from __future__ import annotations

import numpy as np

from ..data import Attribution, check_index

#: up to this many instances the order is exact hierarchical clustering; beyond, k-means centres are clustered
EXACT_LIMIT = 3000
CENTRES = 300


def similarity_order(attribution: Attribution, output: int = 0) -> np.ndarray:
    """Instances ordered so that similar explanations of ``output`` sit side by side, as int32 indices.

    Up to 3,000 instances: the leaf order of average-linkage hierarchical clustering of the attribution vectors
    (as shap's stacked force plot does). Beyond that, an approximation that scales: instances are grouped by
    their nearest of 300 k-means centres, the centres put in their hierarchical leaf order, and instances ordered
    by output value within a group.
    """
    from scipy.cluster.hierarchy import leaves_list, linkage

    check_index("output", output, attribution.n_outputs)
    n = attribution.n_instances
    vectors = attribution.values[..., output].reshape(n, -1)
    if n < 3:
        return np.arange(n, dtype=np.int32)
    if n <= EXACT_LIMIT:
        return leaves_list(linkage(vectors, method="average")).astype(np.int32)
    from sklearn.cluster import MiniBatchKMeans

    kmeans = MiniBatchKMeans(n_clusters=CENTRES, random_state=0, n_init=3).fit(vectors)
    rank = np.empty(CENTRES, dtype=np.int64)
    rank[leaves_list(linkage(kmeans.cluster_centers_, method="average"))] = np.arange(CENTRES)
    return np.lexsort((attribution.output_values[:, output], rank[kmeans.labels_])).astype(np.int32)
