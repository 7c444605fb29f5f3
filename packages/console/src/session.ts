const KEY = "genq.apiKey";

/** The signed-in API key, kept in this tab's session storage (gone when the tab closes). */
export const getKey = (): string | null => sessionStorage.getItem(KEY);
export const setKey = (key: string) => sessionStorage.setItem(KEY, key);
export const clearKey = () => sessionStorage.removeItem(KEY);
