// Key specs and usages as the KMS API names them (botocore kms/2014-11-01 KeySpec, KeyUsageType).

export const symmetricSpecs = ["SYMMETRIC_DEFAULT"];
export const asymmetricSpecs = ["RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "SM2"];
export const hmacSpecs = ["HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512"];
export const allSpecs = [...symmetricSpecs, ...asymmetricSpecs, ...hmacSpecs];
export const usages = ["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"];
export const states = ["Creating", "Enabled", "Disabled", "PendingDeletion", "PendingImport", "PendingReplicaDeletion", "Unavailable", "Updating"];
